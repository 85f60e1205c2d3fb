// `gibbs bench rbm`: workloads W2 (CD-1, batch 128) and W4 (PCD-15, batch 20) of DESIGN.md and
// the Gibbs-chain throughput, timed in the engine, beside the PyTorch and NumPy peers of
// bench/peers run in the same invocation, each at its better of 1 and 2 threads.
#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

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

#include "tools/gibbs/bench_peer.h"
#include "tools/gibbs/command.h"
#include "tools/gibbs/json.h"
#include "tools/gibbs/parse.h"
import gibbs.core;
import gibbs.io;
import gibbs.random;
import gibbs.sampler;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace gibbs::cli {
namespace {

constexpr const char* kUsage =
    "usage: gibbs bench rbm [--data FILE] [--workload W2,W4,gibbs] [--epochs E] [--threads T] [--json]";

struct Workload {
  std::string id;
  std::size_t hidden = 500, batch = 128, k = 1;
  bool persistent = false;
  float lr = 0.01f;
  bool glorot = false;  // uniform ±4·sqrt(6/(v+h)), else N(0, 0.01²)
};

const std::vector<Workload> kWorkloads = {
    {"W2", 500, 128, 1, false, 0.01f, false},
    {"W4", 500, 20, 15, true, 0.1f, true},
    {"gibbs", 500, 0, 0, false, 0, false},  // 100 chains × 1000 steps
};

struct Measurement {
  std::string who;  // "gibbs", "pytorch", "numpy"
  int threads = 0;
  double seconds = NAN;            // median seconds per epoch (per run for "gibbs")
  double reconstruction_mse = NAN;  // over the whole training split after the last epoch
  std::string problem;              // why a peer gave no figure
};

sampler::Rbm initial_rbm(const Workload& w, std::uint64_t seed) {
  sampler::Rbm rbm(784, w.hidden, sampler::VisibleUnits::bernoulli);
  if (w.glorot) sampler::initialize_uniform_glorot4(rbm, seed);
  else sampler::initialize_normal(rbm, 0.01f, seed);
  return rbm;
}

Measurement run_gibbs_epochs(const Workload& w, const Matrix<float>& x, std::size_t epochs, std::uint64_t seed) {
  sampler::Rbm rbm = initial_rbm(w, seed);
  sampler::ContrastiveDivergence cd(rbm, w.batch, {.k = w.k, .persistent = w.persistent});
  Matrix<float> batch(w.batch, x.cols());
  std::vector<double> seconds;
  std::uint64_t step = 0;
  for (std::size_t e = 0; e < epochs; ++e) {
    const auto start = std::chrono::steady_clock::now();
    const std::vector<std::size_t> order = random::permutation({seed, 1000 + e}, x.rows());
    for (std::size_t first = 0; first < x.rows(); first += w.batch) {
      const std::size_t rows = std::min(w.batch, x.rows() - first);
      for (std::size_t i = 0; i < rows; ++i) std::copy_n(x.row(order[first + i]).data(), x.cols(), batch.row(i).data());
      cd.step(rbm, batch.view().block(0, 0, rows, x.cols()), w.lr, 0.0f, seed, step++);
    }
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const sampler::Scores scores = sampler::score(rbm, x, {seed, 0});
  return {"gibbs", thread_count(), median(seconds), scores.reconstruction_mse, ""};
}

Measurement run_gibbs_chains(std::uint64_t seed) {
  const sampler::Rbm rbm = initial_rbm(kWorkloads[2], seed);
  Matrix<float> chains(100, 784);
  random::bernoulli({seed, 7}, 0, Matrix<float>(100, 784, 0.5f), chains);
  std::vector<double> seconds;
  for (int run = 0; run < 3; ++run) {  // the median of three runs: one is over a second
    const auto start = std::chrono::steady_clock::now();
    sampler::run_chains(rbm, chains, {}, seed, 1000, 0);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return {"gibbs", thread_count(), median(seconds), NAN, ""};
}

Measurement run_peer(const fs::path& script, const std::string& who, const Workload& w, const fs::path& data,
                     std::size_t epochs, int threads) {
  Measurement m{who, threads, NAN, NAN, ""};
  const PeerOutput out = run_peer_script(script, fmt::format("--workload {} --data {} --threads {} --epochs {}", w.id,
                                                             shell_quote(data.string()), threads, epochs));
  if (!out.problem.empty()) return m.problem = out.problem, m;
  m.seconds = json_value(out.line, w.id == "gibbs" ? "seconds" : "epoch_seconds").value_or(NAN);
  m.reconstruction_mse = json_value(out.line, "reconstruction_mse").value_or(NAN);
  return m;
}

int bench_rbm_command(Args args) {
  po::options_description options("gibbs bench rbm options");
  options.add_options()
      ("help,h", "print this help")
      ("data", po::value<std::string>()->default_value("data/fashion-mnist.h5")->value_name("FILE"),
       "the training data of W2 and W4 (784 values a row)")
      ("workload", po::value<std::string>()->default_value("W2,W4,gibbs")->value_name("LIST"), "which workloads")
      ("epochs", po::value<std::size_t>()->default_value(1)->value_name("E"),
       "epochs of W2 and W4 (the median epoch is reported; the error after the last)")
      ("threads", po::value<int>()->default_value(0)->value_name("T"), "gibbs's threads (0: one per core)")
      ("peers", po::value<std::string>()->default_value(GIBBS_PEERS_DIR)->value_name("DIR"), "the peer scripts")
      ("no-peers", "gibbs only")
      ("json", "one JSON line per workload");
  po::variables_map vm;
  if (!parse_options(args, options, kUsage, vm)) return 0;
  set_thread_count(vm["threads"].as<int>());
  const std::size_t epochs = std::max<std::size_t>(1, vm["epochs"].as<std::size_t>());
  const fs::path data = vm["data"].as<std::string>(), peers = vm["peers"].as<std::string>();
  const std::string wanted = "," + vm["workload"].as<std::string>() + ",";
  std::optional<Matrix<float>> x;
  const bool json = vm.contains("json");
  if (!json)
    fmt::print("{:<6} {:>12} {:>16} {:>7} {:>12} {:>12}\n", "work", "gibbs s", "best peer s", "ratio", "gibbs mse",
               "peer mse");
  for (const Workload& w : kWorkloads) {
    if (wanted.find("," + w.id + ",") == std::string::npos) continue;
    if (w.id != "gibbs" && !x) {
      const io::DatasetReader reader(data);
      x = reader.read_range("train", 0, reader.split("train").rows).x;
      if (x->cols() != 784) throw FormatError(data.string(), fmt::format("rows of {} values, expected 784", x->cols()));
    }
    const Measurement ours = w.id == "gibbs" ? run_gibbs_chains(1) : run_gibbs_epochs(w, *x, epochs, 1);
    std::vector<Measurement> others;
    if (!vm.contains("no-peers"))
      for (const char* who : {"pytorch", "numpy"}) {
        const fs::path script = peers / (std::string("rbm_") + (who == std::string("pytorch") ? "torch" : "numpy") + ".py");
        others.push_back(better_of_1_and_2_threads<Measurement>(
            [&](int threads) { return run_peer(script, who, w, data, epochs, threads); }));
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
        peer_fields.push_back(fmt::format(R"({{"peer": "{}", "threads": {}, "seconds": {}, "reconstruction_mse": {}}})",
                                          m.who, m.threads, json_number(m.seconds), json_number(m.reconstruction_mse)));
      fmt::print(R"({{"workload": "{}", "epochs": {}, "gibbs_seconds": {}, "gibbs_threads": {}, "gibbs_reconstruction_mse": {}, "peer": {}, "peer_seconds": {}, "ratio": {}, "peers": [{}]}})"
                 "\n",
                 w.id, w.id == "gibbs" ? 0 : epochs, json_number(ours.seconds), ours.threads,
                 json_number(ours.reconstruction_mse), best ? json_string(best->who) : "null",
                 json_number(best ? best->seconds : NAN), json_number(ratio), fmt::join(peer_fields, ", "));
    } else {
      fmt::print("{:<6} {:>12.3f} {:>16} {:>7.2f} {:>12.5f} {:>12.5f}\n", w.id, ours.seconds,
                 best ? fmt::format("{:.3f} {}/{}", best->seconds, best->who, best->threads) : "-", ratio,
                 ours.reconstruction_mse, best ? best->reconstruction_mse : NAN);
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int bench_rbm(Args args) { return bench_rbm_command(args); }

}  // namespace gibbs::cli
