// `gibbs bench mlp|cnn|autoencoder`: workloads W5, W6 and W7 of DESIGN.md, trained by `gibbs train`
// with the plugins' defaults (Adam, batch 64) on Fashion-MNIST, beside the PyTorch peer bench/peers/nn_torch.py run in
// the same invocation at its best configuration (bench_peer.h): seconds per epoch, images/s, and the test accuracy
// (MLP, CNN) or test MSE (autoencoder) after the last epoch.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "bench/fma_peak.h"
#include "tools/gibbs/bench_peer.h"
#include "tools/gibbs/bench_train.h"
#include "tools/gibbs/command.h"
#include "tools/gibbs/json.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.train;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace gibbs::cli {
namespace {

struct Workload {
  const char* id;      // the command's name, and the peer's --workload
  const char* design;  // DESIGN.md's id
  bool classifier;     // softmax cross-entropy on labels, else MSE against the input
};

struct Measurement {
  std::string who;  // "gibbs", "pytorch"
  int threads = 0;
  double seconds = NAN;      // median seconds per epoch
  double gflops = NAN;       // gibbs: the GEMMs' multiply-adds of an epoch, ×2, over `seconds`
  double metric = NAN;       // test accuracy, or test MSE
  std::string problem;       // why a peer gave no figure
  std::string config;        // the peer's configuration (PeerConfig::name)
  std::string version = {};  // the peer's PyTorch
};

// The rows of the dataset's splits, checked for what the workloads and the peers read.
struct Rows {
  std::size_t train = 0, test = 0;
};

// `gibbs train --model <id>` with the plugin's defaults (the workload's network, Adam 1e-3), the
// test figure from scoring the whole test split after each epoch (untimed).
Measurement run_gibbs(const Workload& w, const fs::path& data, std::size_t train_rows, std::size_t test_rows,
                      std::size_t epochs, std::size_t batch_size, std::size_t shards, std::uint64_t seed,
                      const fs::path& output) {
  const Config given = {{"data", data.string()},
                        {"epochs", static_cast<std::int64_t>(epochs)},
                        {"batch-size", static_cast<std::int64_t>(batch_size)},
                        {"shards", static_cast<std::int64_t>(shards)},
                        {"seed", static_cast<std::int64_t>(seed)},
                        {"monitor", static_cast<std::int64_t>(test_rows)}};
  const train::Report report = train_for_bench(w.id, given, output);
  const auto& history = report.history;
  const double seconds = median(history.at("seconds"));
  return {"gibbs",
          thread_count(),
          seconds,
          training_gflops(report, train_rows, seconds),
          history.at(w.classifier ? "test_accuracy" : "test_mse").back(),
          "",
          ""};
}

Measurement run_peer(const PeerScripts& peers, const Workload& w, const fs::path& data, std::size_t epochs,
                     std::size_t batch, const PeerConfig& config) {
  Measurement m{"pytorch", config.threads, NAN, NAN, NAN, "", ""};
  const PeerOutput out = run_peer_script(
      peers, "nn_torch.py",
      fmt::format("--workload {} --data {} --epochs {} --batch {}", w.id, shell_quote(data.string()), epochs, batch),
      config);
  if (!out.problem.empty()) return m.problem = out.problem, m;
  m.version = out.version;
  m.seconds = json_value(out.line, "epoch_seconds").value_or(NAN);
  m.metric = json_value(out.line, w.classifier ? "test_accuracy" : "test_mse").value_or(NAN);
  return m;
}

// Shapes and labels only: `gibbs train` reads and checks the values before any peer runs.
Rows check_dataset(const fs::path& path, const Workload& w) {
  const io::DatasetReader reader(path);
  const io::SplitInfo& train = reader.split("train");
  const io::SplitInfo* test = reader.has_split("test") ? &reader.split("test") : nullptr;
  if (train.cols != 784 || test == nullptr || test->rows == 0 || test->cols != 784)
    throw FormatError(path.string(), "expected train and test splits of rows of 784 values (28x28 images)");
  if (w.classifier) {
    if (!train.labelled || !test->labelled)
      throw FormatError(path.string(), fmt::format("the {} workload needs labels in both splits", w.id));
    for (const io::SplitInfo* split : {&train, test})
      for (const std::int32_t y : reader.labels(split->name))
        if (y < 0 || y >= 10) throw FormatError(path.string(), fmt::format("label {} is not one of 10 classes", y));
  }
  return {train.rows, test->rows};
}

CommandSpec spec(const Workload& w, const char* summary) {
  return {
      .path = fmt::format("bench {}", w.id),
      .summary = summary,
      .usage = {fmt::format(
          "gibbs bench {} [--data FILE] [--epochs E] [--batch B] [--shards S] [--threads T] [--json] [--no-peers] "
          "[-o CKPT]",
          w.id)},
      .options = with_peer_options({
          {"data", value<std::string>("FILE", "data/fashion-mnist.h5"),
           "a dataset of 28x28 images with train and test splits (labelled for mlp and cnn)"},
          {"epochs", value<std::size_t>("E", 3),
           "epochs (the median epoch is reported; the test figure after the last)"},
          {"batch", value<std::size_t>("B", 64), "minibatch size"},
          {"shards", value<std::size_t>("S", 1),
           "shards a minibatch is cut into, computed at once on the threads (gibbs train --shards)"},
          {"seed", value<std::uint64_t>("S", 1), "initialisation and shuffling seed"},
          {"json", "one JSON line"},
          {"output,o", value<std::string>("CKPT"), "keep the trained checkpoint"},
      }),
      .threads = kThreads,
  };
}

int bench_nn(const Workload& w, const po::variables_map& vm) {
  const std::size_t epochs = vm["epochs"].as<std::size_t>(), batch = vm["batch"].as<std::size_t>();
  const std::size_t shards = vm["shards"].as<std::size_t>();
  if (epochs == 0 || batch == 0) throw ArgumentError("bench: --epochs and --batch must be positive");
  const fs::path data_path = vm["data"].as<std::string>();
  const std::optional<PeerScripts> peers = peer_scripts(vm);
  const Rows rows = check_dataset(data_path, w);
  const fs::path output = vm.contains("output") ? vm["output"].as<std::string>() : std::string();
  if (!output.empty()) io::check_output(output);  // before the workloads run, not after
  const double peak = bench::measure_fma_peak_gflops(thread_count());
  const Measurement ours =
      run_gibbs(w, data_path, rows.train, rows.test, epochs, batch, shards, vm["seed"].as<std::uint64_t>(), output);
  Measurement peer{"pytorch", 0, NAN, NAN, NAN, "not run (--no-peers)", ""};
  if (peers) {
    peer = best_configuration<Measurement>(peer_configurations(true), [&](const PeerConfig& c) {
      return run_peer(*peers, w, data_path, epochs, batch, c);
    });
    if (!peer.problem.empty()) fmt::print(stderr, "peer unavailable: pytorch: {}\n", peer.problem);
  }
  const double images = static_cast<double>(rows.train);
  const double ratio = peer.seconds / ours.seconds;
  const char* metric = w.classifier ? "test_accuracy" : "test_mse";
  if (vm.contains("json")) {
    fmt::print(
        R"({{"workload": "{}", "design": "{}", "epochs": {}, "batch": {}, "gibbs_shards": {}, "gibbs_seconds": {}, "gibbs_images_per_second": {}, "gibbs_gflops": {}, "peak_gflops": {}, "gibbs_share_of_peak": {}, "gibbs_threads": {}, "gibbs_{}": {}, "peer": {}, "peer_version": {}, "peer_threads": {}, "peer_config": {}, "peer_seconds": {}, "peer_images_per_second": {}, "peer_{}": {}, "ratio": {}}})"
        "\n",
        w.id, w.design, epochs, batch, shards, json_number(ours.seconds), json_number(images / ours.seconds),
        json_number(ours.gflops), json_number(peak), json_number(ours.gflops / peak), ours.threads, metric,
        json_number(ours.metric), std::isnan(peer.seconds) ? "null" : "\"pytorch\"", json_string_or_null(peer.version),
        peer.threads, json_string(peer.config), json_number(peer.seconds), json_number(images / peer.seconds), metric,
        json_number(peer.metric), json_number(ratio));
  } else {
    const char* name = w.classifier ? "accuracy" : "mse";
    fmt::print("{:<12} {:>9} {:>9} {:>8} {:>6} {:>11} {:>9} {:>7} {:>12} {:>12}\n", "work", "gibbs s", "gibbs i/s",
               "GFLOP/s", "%peak", "pytorch s", "torch i/s", "ratio", fmt::format("gibbs {}", name),
               fmt::format("torch {}", name));
    fmt::print("{:<12} {:>9.3f} {:>9.0f} {:>8.1f} {:>5.1f}% {:>11} {:>9.0f} {:>7.2f} {:>12.5f} {:>12.5f}\n",
               fmt::format("{} {}", w.design, w.id), ours.seconds, images / ours.seconds, ours.gflops,
               100 * ours.gflops / peak,
               std::isnan(peer.seconds) ? std::string("-") : fmt::format("{:.3f}", peer.seconds), images / peer.seconds,
               ratio, ours.metric, peer.metric);
    if (shards > 1) fmt::print("gibbs with --shards {}\n", shards);
    print_peak_note(ours.threads, peak);
    if (!std::isnan(peer.seconds))
      fmt::print("{} at its best of {} configurations: {}\n", peer_label("pytorch", peer.version),
                 peer_configurations(true).size(), peer.config);
  }
  std::fflush(stdout);
  return 0;
}

constexpr Workload kMlp{"mlp", "W5", true}, kCnn{"cnn", "W6", true}, kAutoencoder{"autoencoder", "W7", false};
int bench_mlp(const po::variables_map& vm) { return bench_nn(kMlp, vm); }
int bench_cnn(const po::variables_map& vm) { return bench_nn(kCnn, vm); }
int bench_autoencoder(const po::variables_map& vm) { return bench_nn(kAutoencoder, vm); }

const Registration registrations[] = {
    {spec(kMlp, "MLP training, Adam, batch 64 (W5) against PyTorch"), bench_mlp},
    {spec(kCnn, "CNN training, Adam, batch 64 (W6) against PyTorch"), bench_cnn},
    {spec(kAutoencoder, "autoencoder training, MSE, Adam, batch 64 (W7) against PyTorch"), bench_autoencoder},
};

}  // namespace
}  // namespace gibbs::cli
