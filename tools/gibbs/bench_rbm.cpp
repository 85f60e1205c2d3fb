// `gibbs bench rbm`: workloads W2 (CD-1, batch 128) and W4 (PCD-15, batch 20) of DESIGN.md, trained
// by `gibbs train`'s own driver, and the Gibbs-chain throughput of the rbm plugin's model, beside the PyTorch and NumPy
// peers of bench/peers run in the same invocation, each at its best configuration (bench_peer.h).
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench/fma_peak.h"
#include "tools/gibbs/bench_peer.h"
#include "tools/gibbs/bench_train.h"
#include "tools/gibbs/command.h"
#include "tools/gibbs/json.h"
#include "tools/gibbs/plugin_options.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.random;
import gibbs.train;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace gibbs::cli {
namespace {

// A workload as `gibbs train --model rbm` options (batch-size included); "gibbs" is the chains'.
struct Workload {
  std::string id;
  Config options;
};

const std::vector<Workload> kWorkloads = {
    {"W2",
     {{"hidden", std::int64_t{500}},
      {"k", std::int64_t{1}},
      {"lr", 0.01},
      {"init", std::string("normal:0.01")},
      {"batch-size", std::int64_t{128}}}},
    {"W4",
     {{"hidden", std::int64_t{500}},
      {"k", std::int64_t{15}},
      {"persistent", std::int64_t{1}},
      {"lr", 0.1},
      {"init", std::string("uniform-glorot4")},
      {"batch-size", std::int64_t{20}}}},
    {"gibbs", {}},  // 100 chains × 1000 steps of a fresh 784→500 RBM
};
constexpr std::int64_t kSeed = 1;

struct Measurement {
  std::string who;  // "gibbs", "pytorch", "numpy"
  int threads = 0;
  double seconds = NAN;             // median seconds per epoch (per run for "gibbs")
  double gflops = NAN;              // gibbs's epochs: the GEMMs' multiply-adds, ×2, over `seconds`
  double reconstruction_mse = NAN;  // over the whole training split after the last epoch
  std::string problem;              // why a peer gave no figure
  std::string config;               // the peer's configuration (PeerConfig::name)
  std::string version = {};         // the peer's PyTorch or NumPy
};

// `gibbs train` on the workload, scoring the whole training split after each epoch (untimed).
Measurement run_gibbs_epochs(const Workload& w, const fs::path& data, std::size_t train_rows, std::size_t epochs,
                             const fs::path& output) {
  Config given = w.options;
  given["data"] = data.string();
  given["epochs"] = static_cast<std::int64_t>(epochs);
  given["seed"] = kSeed;
  given["monitor"] = std::int64_t{0};
  const train::Report report = train_for_bench("rbm", given, output);
  const auto& history = report.history;
  const double seconds = median(history.at("seconds"));
  return {"gibbs",
          thread_count(),
          seconds,
          training_gflops(report, train_rows, seconds),
          history.at("reconstruction_mse").back(),
          "",
          ""};
}

Measurement run_gibbs_chains() {
  const PluginLibrary plugin = load_plugin("rbm", plugin_search_path());
  const ModelPtr model = plugin.create_model();
  const Matrix<float> one_row(1, 784);
  model->initialize(complete_config(plugin, {{"data", std::string("none")}}, nullptr), {}, {one_row.view()},
                    {static_cast<std::uint64_t>(kSeed), 1});
  Matrix<float> chains(100, 784);
  random::bernoulli(random::streams::chain_start(kSeed), 0, Matrix<float>(100, 784, 0.5f), chains);
  std::vector<double> seconds;
  for (int run = 0; run < 3; ++run) {  // the median of three runs: one is over a second
    const auto start = std::chrono::steady_clock::now();
    model->sample(chains, {}, kSeed, 1000, 0, {});
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return {"gibbs", thread_count(), median(seconds), NAN, NAN, "", ""};
}

Measurement run_peer(const PeerScripts& peers, const std::string& script, const std::string& who, const Workload& w,
                     const fs::path& data, std::size_t epochs, const PeerConfig& config) {
  Measurement m{who, config.threads, NAN, NAN, NAN, "", ""};
  const PeerOutput out = run_peer_script(
      peers, script, fmt::format("--workload {} --data {} --epochs {}", w.id, shell_quote(data.string()), epochs),
      config);
  if (!out.problem.empty()) return m.problem = out.problem, m;
  m.version = out.version;
  m.seconds = json_value(out.line, w.id == "gibbs" ? "seconds" : "epoch_seconds").value_or(NAN);
  m.reconstruction_mse = json_value(out.line, "reconstruction_mse").value_or(NAN);
  return m;
}

const CommandSpec kSpec{
    .path = "bench rbm",
    .summary = "RBM training and Gibbs sampling (W2, W4) against PyTorch and NumPy",
    .usage = {"gibbs bench rbm [--data FILE] [--workload W2,W4,gibbs] [--epochs E] [--threads T] [--json] [-o CKPT]"},
    .options = with_peer_options({
        {"data", value<std::string>("FILE", "data/fashion-mnist.h5"),
         "the training data of W2 and W4 (784 values a row)"},
        {"workload", value<std::string>("LIST", "W2,W4,gibbs"), "which workloads"},
        {"epochs", value<std::size_t>("E", 1),
         "epochs of W2 and W4 (the median epoch is reported; the error after the last)"},
        {"json", "one JSON line per workload"},
        {"output,o", value<std::string>("CKPT"), "keep the trained checkpoint (one of W2 and W4 only)"},
    }),
    .threads = kThreads,
};

int bench_rbm(const po::variables_map& vm) {
  const std::size_t epochs = std::max<std::size_t>(1, vm["epochs"].as<std::size_t>());
  const fs::path data = vm["data"].as<std::string>();
  const std::optional<PeerScripts> peers = peer_scripts(vm);
  const std::string wanted = "," + vm["workload"].as<std::string>() + ",";
  const fs::path output = vm.contains("output") ? vm["output"].as<std::string>() : std::string();
  if (!output.empty()) io::check_output(output);  // before the workloads run, not after
  if (!output.empty() && wanted != ",W2," && wanted != ",W4,")
    throw ArgumentError("bench rbm: -o CKPT keeps one training's checkpoint: give --workload W2 or --workload W4");
  const bool json = vm.contains("json");
  const double peak = bench::measure_fma_peak_gflops(thread_count());
  if (!json)
    fmt::print("{:<6} {:>12} {:>8} {:>6} {:>16} {:>7} {:>12} {:>12}\n", "work", "gibbs s", "GFLOP/s", "%peak",
               "best peer s", "ratio", "gibbs mse", "peer mse");
  for (const Workload& w : kWorkloads) {
    if (wanted.find("," + w.id + ",") == std::string::npos) continue;
    std::size_t train_rows = 0;
    if (w.id != "gibbs") {
      const io::DatasetReader reader(data);
      if (reader.split("train").cols != 784)
        throw FormatError(data.string(), fmt::format("rows of {} values, expected 784", reader.split("train").cols));
      train_rows = reader.split("train").rows;
    }
    const Measurement ours =
        w.id == "gibbs" ? run_gibbs_chains() : run_gibbs_epochs(w, data, train_rows, epochs, output);
    std::vector<Measurement> others;
    if (peers)
      for (const char* who : {"pytorch", "numpy"}) {
        const std::string script = std::string("rbm_") + (who == std::string("pytorch") ? "torch" : "numpy") + ".py";
        others.push_back(best_configuration<Measurement>(
            peer_configurations(who == std::string("pytorch")),
            [&](const PeerConfig& c) { return run_peer(*peers, script, who, w, data, epochs, c); }));
        if (!others.back().problem.empty())
          fmt::print(stderr, "peer unavailable: {}: {}\n", who, others.back().problem);
      }
    const Measurement* best = nullptr;
    for (const Measurement& m : others)
      if (!std::isnan(m.seconds) && (best == nullptr || m.seconds < best->seconds)) best = &m;
    const double ratio = best ? best->seconds / ours.seconds : NAN;
    if (json) {
      std::vector<std::string> peer_fields;
      for (const Measurement& m : others)
        peer_fields.push_back(fmt::format(
            R"({{"peer": "{}", "version": {}, "threads": {}, "config": {}, "seconds": {}, "reconstruction_mse": {}}})",
            m.who, json_string_or_null(m.version), m.threads, json_string(m.config), json_number(m.seconds),
            json_number(m.reconstruction_mse)));
      fmt::print(
          R"({{"workload": "{}", "epochs": {}, "gibbs_seconds": {}, "gibbs_gflops": {}, "peak_gflops": {}, "gibbs_share_of_peak": {}, "gibbs_threads": {}, "gibbs_reconstruction_mse": {}, "peer": {}, "peer_seconds": {}, "ratio": {}, "peers": [{}]}})"
          "\n",
          w.id, w.id == "gibbs" ? 0 : epochs, json_number(ours.seconds), json_number(ours.gflops), json_number(peak),
          json_number(ours.gflops / peak), ours.threads, json_number(ours.reconstruction_mse),
          best ? json_string(best->who) : "null", json_number(best ? best->seconds : NAN), json_number(ratio),
          fmt::join(peer_fields, ", "));
    } else {
      const bool counted = !std::isnan(ours.gflops);  // not for the chains
      fmt::print("{:<6} {:>12.3f} {:>8} {:>6} {:>16} {:>7.2f} {:>12.5f} {:>12.5f}{}\n", w.id, ours.seconds,
                 counted ? fmt::format("{:.1f}", ours.gflops) : "-",
                 counted ? fmt::format("{:.1f}%", 100 * ours.gflops / peak) : "-",
                 best ? fmt::format("{:.3f} {}", best->seconds, best->who) : "-", ratio, ours.reconstruction_mse,
                 best ? best->reconstruction_mse : NAN,
                 best ? fmt::format("  ({}: {})", peer_label(best->who, best->version), best->config) : "");
    }
    std::fflush(stdout);
  }
  if (!json) {
    print_peak_note(thread_count(), peak);
    fmt::print(
        "the multiply-adds are the dense products'; gibbs skips the zeros of its Bernoulli samples (same bits), so "
        "%peak can pass 100%\n");
  }
  return 0;
}

const Registration registration{kSpec, bench_rbm};

}  // namespace

}  // namespace gibbs::cli
