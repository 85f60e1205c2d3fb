// End-to-end tests of the gibbs CLI: runs the real binary (GIBBS_CLI, from CMake) and checks
// its exit status, its output, and the JSON lines of `gibbs bench gemm`.
#define BOOST_TEST_MODULE cli
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>
#include "tests/support/run_gibbs.h"

namespace {

using namespace gibbs::test;

// Runs `gibbs <args>` (args are plain words: no shell quoting needed) in a fresh folder.
Result run(const std::string& args) {
  const TempDir dir("gibbs-cli-test");
  return run_gibbs(args, dir.path);
}

}  // namespace

BOOST_AUTO_TEST_CASE(version) {
  const Result r = run("--version");
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.out.starts_with("gibbs "));
  BOOST_TEST(r.err.empty());
}

BOOST_AUTO_TEST_CASE(help_lists_commands) {
  const Result r = run("--help");
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.out.find("usage: gibbs") != std::string::npos);
  BOOST_TEST(r.out.find("bench") != std::string::npos);
  BOOST_TEST(r.out.find("--threads") != std::string::npos);
#ifdef GIBBS_HAVE_BENCH  // without the benchmarks, `gibbs bench` is an error
  BOOST_TEST(run("bench --help").out.find("gemm") != std::string::npos);
#endif
}

BOOST_AUTO_TEST_CASE(unknown_command_is_one_line_and_exit_2) {
  const Result r = run("frobnicate");
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(r.err == "gibbs: unknown command 'frobnicate' (see 'gibbs --help')\n");
}

BOOST_AUTO_TEST_CASE(bad_options_are_one_line_and_exit_2) {
  for (const char* args : {"--threads x bench", "--nope", "bench gemm --shape 1,2", "bench gemm --repeat 0",
                           "bench gemm --ones 1.5", "bench gemm --ones nan", "--threads", "--simd", "--plugin-path"}) {
    const Result r = run(args);
    BOOST_TEST(r.status == 2, args);
    BOOST_TEST(r.err.starts_with("gibbs: "), args);
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, args);
  }
}

// "--" ends the global options: what follows is the command, even one that looks like an option.
BOOST_AUTO_TEST_CASE(a_double_dash_ends_the_global_options) {
  const Result version = run("--threads 1 -- --version");
  BOOST_TEST(version.status == 2);
  BOOST_TEST(version.out.empty());
  BOOST_TEST(version.err == "gibbs: unknown command '--version' (see 'gibbs --help')\n");
  const Result bare = run("--");
  BOOST_TEST(bare.status == 2);
  BOOST_TEST(bare.err.starts_with("usage: gibbs"));
  const Result command = run("-- frobnicate");
  BOOST_TEST(command.err == "gibbs: unknown command 'frobnicate' (see 'gibbs --help')\n");
  BOOST_TEST(run("--threads 1 -- plugins --help").out == run("plugins --help").out);
}

// Every command's --help, usage line and "is required" errors come from its one spec.
BOOST_AUTO_TEST_CASE(commands_share_help_and_required_errors) {
  std::vector<std::string> commands = {"eval",
                                       "predict",
                                       "encode",
                                       "reconstruct",
                                       "sample",
                                       "inspect",
                                       "plugins",
                                       "data info",
                                       "data import idx",
                                       "data import csv",
                                       "data import mnist-json",
                                       "data synth logic",
                                       "data synth sincos",
                                       "data synth patterns"};
#ifdef GIBBS_HAVE_BENCH
  commands.insert(commands.end(), {"bench gemm", "bench capacity"});
#endif
  for (const std::string& command : commands) {
    const Result help = run(command + " --help");
    BOOST_TEST(help.status == 0, command);
    BOOST_TEST(help.out.starts_with("usage: gibbs " + command + " "), help.out);
    BOOST_TEST(help.out.find("gibbs " + command + " options:\n  -h [ --help ]") != std::string::npos, help.out);
    BOOST_TEST(help.err.empty(), command);
  }
  const std::vector<std::pair<std::string, std::string>> missing = {
      {"eval", "eval: CKPT is required (usage: gibbs eval CKPT [--data FILE] [--split NAME] [--json])"},
      {"sample c.h5",
       "sample: -o PNG is required (usage: gibbs sample CKPT -o PNG [--chains C] [--steps S] [--every E] "
       "[--init noise|data|FILE] [--clamp UNITS] [--save H5])"},
      {"inspect --json", "inspect: FILE is required (usage: gibbs inspect FILE [--json])"},
      {"data info", "data info: FILE is required (usage: gibbs data info FILE [--json])"},
      {"data import idx --images a.idx -o x.h5",
       "data import idx: --labels FILE is required (usage: gibbs data import idx --images FILE --labels FILE "
       "[--test-images FILE --test-labels FILE] [--classes NAMES] -o OUT.h5)"},
      {"data synth sincos --count 5",
       "data synth sincos: -o OUT.h5 is required (usage: gibbs data synth sincos --count N [--test-fraction F] "
       "[--seed S] -o OUT.h5)"},
  };
  for (const auto& [args, message] : missing) {
    const Result r = run(args);
    BOOST_TEST(r.status == 2, args);
    BOOST_TEST(r.out.empty(), args);
    BOOST_TEST(r.err == "gibbs: " + message + "\n", args);
  }
}

BOOST_AUTO_TEST_CASE(groups_dispatch_as_gibbs_does) {
  const Result help = run("data synth --help");
  BOOST_TEST(help.status == 0);
  BOOST_TEST(help.out.starts_with("usage: gibbs data synth <generator> [options]\n\ncommands:\n  logic  "), help.out);
  const Result bare = run("data import");
  BOOST_TEST(bare.status == 2);
  BOOST_TEST(bare.out.empty());
  BOOST_TEST(bare.err.find("  mnist-json  ") != std::string::npos, bare.err);
  BOOST_TEST(run("data frob").err == "gibbs: unknown data command 'frob' (see 'gibbs data --help')\n");
  BOOST_TEST(run("data import tsv").err == "gibbs: unknown format 'tsv' (see 'gibbs data import --help')\n");
  BOOST_TEST(run("data 'synth logic'").err == "gibbs: unknown data command 'synth logic' (see 'gibbs data --help')\n");
}

#ifdef GIBBS_HAVE_BENCH
// --simd names a target this CPU has, and the kernels then run on it: `bench gemm` reports it, its
// check against the peers' product still passes there, and the peers are held to it.
BOOST_AUTO_TEST_CASE(simd_pins_the_kernels_target) {
  const Result bad = run("--simd AVX9 bench gemm --shape 64,64,64 --repeat 1");
  BOOST_TEST(bad.status == 2);
  const std::string prefix = "gibbs: --simd: AVX9 is not a SIMD target of this CPU (it has ";
  BOOST_TEST_REQUIRE(bad.err.starts_with(prefix), bad.err);
  BOOST_TEST(bad.err.ends_with(")\n"), bad.err);
  std::vector<std::string> targets;
  std::istringstream list(bad.err.substr(prefix.size(), bad.err.size() - prefix.size() - 2));
  for (std::string name; std::getline(list >> std::ws, name, ',');) targets.push_back(name);
  BOOST_TEST_REQUIRE(!targets.empty());
  for (const std::string& target : {targets.back(), targets.front()}) {
    std::string lower = target;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const Result r = run("--simd " + lower + " bench gemm --shape 64,64,64 --repeat 1 --json --threads 1");
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    BOOST_TEST(r.err.find("disagree") == std::string::npos, r.err);
    boost::property_tree::ptree json;
    std::istringstream text(r.out);
    boost::property_tree::read_json(text, json);
    BOOST_TEST(json.get<std::string>("target") == target);
  }
  // The peers are held to the same instructions, where they can be.
  if (std::find(targets.begin(), targets.end(), "AVX2") != targets.end()) {
    const Result r = run("--simd AVX2 bench gemm --shape 64,64,64 --repeat 1 --threads 1");
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    // "(--simd)" marks a target below the CPU's best (AVX2 is the best of a Zen 3).
    const std::string pinned = targets.front() == "AVX2" ? "" : " (--simd)";
    BOOST_TEST(r.out.starts_with("gibbs bench gemm: target AVX2" + pinned + ", "), r.out);
    if (r.out.find("  onednn: ") != std::string::npos) BOOST_TEST(r.out.find(", held to AVX2\n") != std::string::npos);
    if (r.out.find("  openblas: ") != std::string::npos)
      BOOST_TEST(r.out.find(", kernels Haswell\n") != std::string::npos);
  }
}

// --ones: A of zeros and ones through the binary kernel, checked against the peers' dense product.
BOOST_AUTO_TEST_CASE(bench_gemm_with_a_of_zeros_and_ones) {
  const Result r = run("bench gemm --shape 100,300,200 --shape 40,64,70,0,1 --ones 0.3 --repeat 1 --json --threads 2");
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.err.find("disagree") == std::string::npos, r.err);
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    boost::property_tree::ptree json;
    std::istringstream text(line);
    boost::property_tree::read_json(text, json);
    BOOST_TEST(json.get<double>("ones") == 0.3);
    BOOST_TEST(json.get<double>("gflops") > 0);
    if (json.get<std::string>("peer") != "null") BOOST_TEST(json.get<std::string>("agree") == "true", line);
  }
  const Result bad = run("bench gemm --ones -0.5");
  BOOST_TEST(bad.status == 2);
  BOOST_TEST(bad.err == "gibbs: --ones -0.5: a share of ones, from 0 to 1\n");
}

BOOST_AUTO_TEST_CASE(bench_gemm_json) {
  const Result r = run("bench gemm --shape 64,64,64 --repeat 1 --json --threads 1");
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.err.find("disagree") == std::string::npos, r.err);
  std::istringstream lines(r.out);
  std::string line;
  BOOST_TEST_REQUIRE(static_cast<bool>(std::getline(lines, line)));
  BOOST_TEST(!std::getline(lines, line), "one line per shape");
  boost::property_tree::ptree json;
  std::istringstream text(r.out);
  boost::property_tree::read_json(text, json);
  BOOST_TEST(json.get<std::string>("workload") == "W1");
  std::vector<int> shape;
  for (const auto& [key, value] : json.get_child("shape")) shape.push_back(value.get_value<int>());
  BOOST_TEST(shape == std::vector<int>({64, 64, 64}), boost::test_tools::per_element());
  BOOST_TEST(json.get<std::string>("trans") == "NN");
  BOOST_TEST(json.get<std::string>("ones") == "null");
  BOOST_TEST(json.get<int>("threads") == 1);
  BOOST_TEST(!json.get<std::string>("target").empty());
  const double gflops = json.get<double>("gflops");
  BOOST_TEST(gflops > 0);
  BOOST_TEST(json.get<double>("peak_gflops") > 0);
  if (json.get<std::string>("peer") != "null") {  // no peer library on this machine: nothing to compare
    const double peer = json.get<double>("peer_gflops");
    BOOST_TEST(peer > 0);
    BOOST_TEST(json.get<double>("ratio") == gflops / peer, boost::test_tools::tolerance(1e-3));
  }
}
#endif
