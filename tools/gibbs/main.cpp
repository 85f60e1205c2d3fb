// The gibbs command line: global options, then a subcommand (one file each, see command.h, or
// one a plugin adds through its descriptor). Every error becomes one line on stderr,
// "gibbs: <message>", and exit status 2.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/escape.h"
#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/world.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.simd;

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "usage: gibbs [--threads N] [--plugin-path DIRS] <command> [options]   (gibbs <command> --help for more)";

// Where the global options end and the command begins: at the first word that is neither an
// option nor an option's value, so a command may have options with the same names (e.g. `bench
// gemm --threads`), or after a "--", which only ends them.
struct CommandLineSplit {
  std::size_t options_end, command;
};

CommandLineSplit split_command_line(const po::options_description& options, const std::vector<std::string>& args) {
  std::size_t i = 0;
  while (i < args.size() && args[i].size() > 1 && args[i][0] == '-') {
    if (args[i] == "--") return {i, i + 1};
    const std::string& arg = args[i++];
    if (arg.find('=') != std::string::npos || arg.starts_with("--") == false) continue;
    const auto* option = options.find_nothrow(arg.substr(2), false);
    if (option != nullptr && option->semantic()->max_tokens() > 0 && i < args.size()) ++i;  // its value
  }
  return {i, i};
}

// The commands the plugins along the search path add, as a table for --help (empty when none).
std::string plugin_command_table(const gibbs::Discovery& found) {
  std::size_t width = 0;
  for (const gibbs::PluginLibrary& p : found.plugins)
    for (const gibbs::PluginCommand& c : p.commands()) width = std::max(width, c.name.size());
  std::string text;
  for (const gibbs::PluginLibrary& p : found.plugins)
    for (const gibbs::PluginCommand& c : p.commands())
      text += fmt::format("  {:<{}}  {} (plugin {})\n", c.name, width, c.summary, p.name());
  return text.empty() ? text : "plugin commands:\n" + text;
}

// A command no file of the CLI registers: the first plugin that adds it runs it.
int run_plugin_command(const std::vector<std::string>& rest) {
  const gibbs::Discovery found = gibbs::discover(gibbs::cli::plugin_search_path());
  for (const gibbs::PluginLibrary& p : found.plugins) {
    if (p.find_command(rest[0]) == nullptr) continue;
    const gibbs::CommandResult result = p.run_command(rest[0], std::span<const std::string>(rest).subspan(1));
    std::fflush(stdout);
    if (!result.error.empty())
      fmt::print(stderr, "gibbs: {}\n", gibbs::cli::printable(gibbs::cli::option_message(result.error)));
    return result.status;
  }
  return gibbs::cli::dispatch("", rest, kUsage);  // the usual error
}

int run(const std::vector<std::string>& args) {
  gibbs::io::protect_inputs();             // no command's output replaces a file it read
  gibbs::io::h5::check_untrusted_files();  // libhdf5's faults on a damaged file end a child, not gibbs
  po::options_description global("global options");
  global.add_options()("help,h", "print this help and the list of commands")("version", "print the version")(
      "threads", po::value<int>()->default_value(0)->value_name("N"), "worker threads (0: one per core)")(
      "memory-limit", po::value<std::string>()->default_value("75%")->value_name("SIZE"),
      "the most memory gibbs's matrices may take: 12G, 512M, or a share of physical memory such as 50%")(
      "simd", po::value<std::string>()->value_name("TARGET"),
      "run the kernels on TARGET (AVX3_DL, AVX3, AVX2, SSE4, …: one this CPU has) instead of the best; some "
      "results' last bits depend on it")(
      "plugin-path", po::value<std::vector<std::string>>()->value_name("DIRS"),
      "colon-separated folders searched for plugins first (then GIBBS_PLUGIN_PATH, then the installed folder)");

  const CommandLineSplit split = split_command_line(global, args);
  po::variables_map vm;
  po::store(po::command_line_parser(std::vector<std::string>(args.begin(), args.begin() + split.options_end))
                .options(global)
                .run(),
            vm);
  po::notify(vm);

  if (vm.contains("version")) {
    fmt::print("gibbs {}\n", GIBBS_VERSION);
    return 0;
  }
  gibbs::set_thread_count(vm["threads"].as<int>());
  gibbs::set_memory_budget(gibbs::parse_memory_limit(vm["memory-limit"].as<std::string>()));
  if (vm.contains("simd")) gibbs::simd::use_target(vm["simd"].as<std::string>());
  if (vm.contains("plugin-path")) gibbs::cli::plugin_path() = vm["plugin-path"].as<std::vector<std::string>>();
  const std::vector<std::string> rest(args.begin() + split.command, args.end());
  if (vm.contains("help") || rest.empty()) {
    std::FILE* out = vm.contains("help") ? stdout : stderr;
    const std::string plugin_commands = plugin_command_table(gibbs::discover(gibbs::cli::plugin_search_path()));
    fmt::print(out, "{}\n\n{}{}\n{}", kUsage, gibbs::cli::command_table(""), plugin_commands, fmt::streamed(global));
    return vm.contains("help") ? 0 : 2;
  }
  if (gibbs::cli::find_command(rest[0]) == nullptr && !rest[0].starts_with("-")) return run_plugin_command(rest);
  return gibbs::cli::dispatch("", rest, kUsage);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const gibbs::Error& e) {
    if (gibbs::cli::reports_errors()) fmt::print(stderr, "gibbs: {}\n", gibbs::cli::printable(e.what()));
  } catch (const po::error& e) {
    if (gibbs::cli::reports_errors())
      fmt::print(stderr, "gibbs: {}\n", gibbs::cli::printable(gibbs::cli::option_message(e.what())));
  } catch (const std::exception& e) {
    fmt::print(stderr, "gibbs: internal error: {}\n", gibbs::cli::printable(e.what()));
    return 1;
  } catch (...) {
    fmt::print(stderr, "gibbs: internal error\n");
    return 1;
  }
  return 2;
}
