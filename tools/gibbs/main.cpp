// The gibbs command line: global options, then one subcommand per file.
#include <cstdio>
#include <fmt/format.h>
#include <string>
#include <string_view>
import gibbs.core;

int main(int argc, char** argv) {
  const std::string_view first = argc > 1 ? argv[1] : "--help";
  if (first == "--version") {
    fmt::print("gibbs {}\n", GIBBS_VERSION);
    return 0;
  }
  fmt::print("usage: gibbs <command> [options]\n");
  return first == "--help" || first == "-h" ? 0 : 2;
}
