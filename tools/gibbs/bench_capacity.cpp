// `gibbs bench capacity`: workload W8 of DESIGN.md, the perceptron capacity sweep (N = 20 inputs,
// P = 2 … 80 patterns, 50 trials each, up to 100 epochs), timed in the engine beside the NumPy
// peer bench/peers/capacity_numpy.py run in the same invocation at its best configuration (1 or 2 threads).
#include <fmt/format.h>
#include <boost/program_options.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "plugins/perceptron/capacity.h"
#include "tools/gibbs/bench_peer.h"
#include "tools/gibbs/command.h"
#include "tools/gibbs/json.h"
import gibbs.core;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace gibbs::cli {
namespace {

constexpr std::size_t kInputs = 20, kMinPatterns = 2, kMaxPatterns = 80, kTrials = 50, kMaxEpochs = 100;

struct Figure {
  int threads = 0;
  double seconds = NAN, half_point = NAN;
  std::string problem = {};  // why a peer gave no figure
  std::string config = {};   // the peer's configuration (PeerConfig::name)
  std::string version = {};  // the peer's NumPy
};

Figure run_gibbs(std::size_t repeat) {
  perceptron::CapacitySettings s{kInputs, {}, kTrials, kMaxEpochs, 0.01f, 0};
  for (std::size_t p = kMinPatterns; p <= kMaxPatterns; ++p) s.patterns.push_back(p);
  std::vector<double> seconds;
  double half = NAN;
  for (std::size_t r = 0; r < repeat; ++r) {
    const auto start = std::chrono::steady_clock::now();
    const std::vector<perceptron::CapacityPoint> points = perceptron::capacity_sweep(s);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    half = perceptron::half_point(points, kInputs);
  }
  return {.threads = thread_count(), .seconds = median(seconds), .half_point = half};
}

Figure run_numpy(const PeerScripts& peers, const PeerConfig& config) {
  const PeerOutput out =
      run_peer_script(peers, "capacity_numpy.py",
                      fmt::format("--inputs {} --min-patterns {} --max-patterns {} --trials {} --max-epochs {}",
                                  kInputs, kMinPatterns, kMaxPatterns, kTrials, kMaxEpochs),
                      config);
  if (!out.problem.empty()) return {.threads = config.threads, .problem = out.problem};
  return {.threads = config.threads,
          .seconds = json_value(out.line, "seconds").value_or(NAN),
          .half_point = json_value(out.line, "half_point").value_or(NAN),
          .version = out.version};
}

const CommandSpec kSpec{
    .path = "bench capacity",
    .summary = "Perceptron capacity sweep (W8) against NumPy",
    .usage = {"gibbs bench capacity [--repeat R] [--threads N] [--no-peers] [--json]"},
    .options = with_peer_options({
        {"repeat", value<std::size_t>("R", 5), "gibbs's sweeps (the median is reported)"},
        {"json", "one JSON line"},
    }),
    .threads = "gibbs's threads (0: one per core; default: the global --threads)",
};

int bench_capacity(const po::variables_map& vm) {
  const Figure ours = run_gibbs(std::max<std::size_t>(1, vm["repeat"].as<std::size_t>()));
  Figure peer{.problem = "not run (--no-peers)"};
  if (const std::optional<PeerScripts> peers = peer_scripts(vm)) {
    peer = best_configuration<Figure>(peer_configurations(false),
                                      [&](const PeerConfig& c) { return run_numpy(*peers, c); });
    if (std::isnan(peer.seconds)) fmt::print(stderr, "peer unavailable: numpy: {}\n", peer.problem);
  }
  const double ratio = peer.seconds / ours.seconds;
  if (vm.contains("json")) {
    fmt::print(
        R"({{"workload": "W8", "inputs": {}, "patterns": [{}, {}], "trials": {}, "max_epochs": {}, )"
        R"("gibbs_seconds": {}, "gibbs_threads": {}, "gibbs_half_point": {}, "peer": {}, "peer_version": {}, "peer_threads": {}, )"
        R"("peer_config": {}, )"
        R"("peer_seconds": {}, "peer_half_point": {}, "ratio": {}}})"
        "\n",
        kInputs, kMinPatterns, kMaxPatterns, kTrials, kMaxEpochs, json_number(ours.seconds), ours.threads,
        json_number(ours.half_point), std::isnan(peer.seconds) ? "null" : "\"numpy\"",
        json_string_or_null(peer.version), peer.threads, json_string(peer.config), json_number(peer.seconds),
        json_number(peer.half_point), json_number(ratio));
  } else {
    fmt::print("W8: perceptron capacity, N = {}, P = {}…{}, {} trials each, up to {} epochs\n", kInputs, kMinPatterns,
               kMaxPatterns, kTrials, kMaxEpochs);
    fmt::print("{:<8} {:>8} {:>10} {:>12}\n", "", "threads", "seconds", "half P/N");
    fmt::print("{:<8} {:>8} {:>10.4f} {:>12.3f}\n", "gibbs", ours.threads, ours.seconds, ours.half_point);
    if (!std::isnan(peer.seconds)) {
      fmt::print("{:<8} {:>8} {:>10.4f} {:>12.3f}  ({}: {})\n", "numpy", peer.threads, peer.seconds, peer.half_point,
                 peer_label("numpy", peer.version), peer.config);
      fmt::print("ratio (numpy / gibbs): {:.1f}x (goal: 30x, issue 12)\n", ratio);
    }
  }
  std::fflush(stdout);
  return 0;
}

const Registration registration{kSpec, bench_capacity};

}  // namespace
}  // namespace gibbs::cli
