// `gibbs bench scaling`: the end-to-end workloads at 1, 2, 4, … threads, each run as its own
// `gibbs --threads T bench <command> --no-peers --json` process (so that one count's caches and
// pools do not carry into the next), with the speed-up and parallel efficiency against 1 thread
// and whether the trained checkpoint has the same bits as the 1-thread one.
#include <fmt/format.h>
#include <unistd.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tools/gibbs/bench_peer.h"
#include "tools/gibbs/command.h"
#include "tools/gibbs/json.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.io;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace gibbs::cli {
namespace {

// A workload as the bench command that runs it; `trains` when it writes a checkpoint (-o),
// `sharded` when that command takes --shards.
struct Workload {
  const char* id;
  const char* command;  // after `gibbs bench`
  bool trains, sharded;
};

const Workload kWorkloads[] = {
    {"W2", "rbm --workload W2", true, false},
    {"W4", "rbm --workload W4", true, false},
    {"gibbs", "rbm --workload gibbs", false, false},
    {"W5", "mlp", true, true},
    {"W6", "cnn", true, true},
    {"W7", "autoencoder", true, true},
};

std::vector<int> default_counts() {
  std::vector<int> counts;
  for (int t = 1; t < hardware_threads(); t *= 2) counts.push_back(t);
  counts.push_back(hardware_threads());
  return counts;
}

std::vector<int> parse_counts(const std::string& text) {
  if (text.empty()) return default_counts();
  std::vector<int> counts;
  for (const std::size_t unit : parse_units(text, "bench scaling: --threads-list", 4097))
    if (unit > 0) counts.push_back(static_cast<int>(unit));
  if (counts.empty() || counts.front() != 1)
    throw ArgumentError(fmt::format("bench scaling: --threads-list '{}' must start at 1 (the reference)", text));
  return counts;
}

// Whether two checkpoints hold the same parameters and state, bit for bit.
bool same_bits(const fs::path& a_path, const fs::path& b_path) {
  const io::Checkpoint a = io::load_checkpoint(a_path), b = io::load_checkpoint(b_path);
  return a.params == b.params && a.state == b.state;
}

const CommandSpec kSpec{
    .path = "bench scaling",
    .summary = "the workloads at 1, 2, 4, ... threads: speed-up, efficiency and the same bits",
    .usage = {"gibbs bench scaling [--workload W2,W4,gibbs,W5,W6,W7] [--threads-list 1,2,4] [--data FILE] "
              "[--epochs E] [--shards S] [--json]"},
    .options =
        {
            {"workload", value<std::string>("LIST", "W2,W4,gibbs,W5,W6,W7"), "which workloads"},
            {"threads-list", value<std::string>("COUNTS", ""),
             "thread counts, starting at 1, e.g. 1,2,4,8,16 or 1-4 (default: 1, 2, 4, ... and every core)"},
            {"data", value<std::string>("FILE", "data/fashion-mnist.h5"), "the dataset of every workload"},
            {"epochs", value<std::size_t>("E", 1), "epochs of the training workloads (the median is timed)"},
            {"shards", value<std::size_t>("S", 1),
             "W5, W6 and W7 train with --shards S at every thread count (the RBM workloads with 1)"},
            {"json", "one JSON line per workload and thread count"},
        },
};

int bench_scaling(const po::variables_map& vm) {
  const std::vector<int> counts = parse_counts(vm["threads-list"].as<std::string>());
  const std::string wanted = "," + vm["workload"].as<std::string>() + ",";
  const std::string data = vm["data"].as<std::string>();
  const std::size_t epochs = std::max<std::size_t>(1, vm["epochs"].as<std::size_t>());
  const std::size_t shards = vm["shards"].as<std::size_t>();
  const bool json = vm.contains("json");
  const fs::path self = fs::read_symlink("/proc/self/exe");
  const fs::path scratch = fs::temp_directory_path() / fmt::format("gibbs-bench-scaling-{}", ::getpid());
  fs::create_directories(scratch);
  if (!json)
    fmt::print("{:<6} {:>6} {:>7} {:>10} {:>9} {:>11} {:>10}\n", "work", "shards", "threads", "seconds", "speed-up",
               "efficiency", "same bits");
  for (const Workload& w : kWorkloads) {
    if (wanted.find(fmt::format(",{},", w.id)) == std::string::npos) continue;
    const std::size_t its_shards = w.sharded ? shards : 1;
    double reference = NAN;
    for (const int threads : counts) {
      const fs::path checkpoint = scratch / fmt::format("{}-{}.h5", w.id, threads);
      std::string command = fmt::format("{} --threads {} bench {} --no-peers --json --data {}", shell_quote(self),
                                        threads, w.command, shell_quote(data));
      if (w.trains) command += fmt::format(" --epochs {} -o {}", epochs, shell_quote(checkpoint.string()));
      if (w.sharded) command += fmt::format(" --shards {}", its_shards);
      const PeerOutput out = run_json_command(command);
      if (!out.problem.empty()) {
        fs::remove_all(scratch);
        throw Error(fmt::format("bench scaling: {} at {} threads: {}", w.id, threads, out.problem));
      }
      const double seconds = json_value(out.line, "gibbs_seconds").value_or(NAN);
      if (threads == 1) reference = seconds;
      const double speed_up = reference / seconds, efficiency = speed_up / threads;
      const std::optional<bool> same =
          w.trains ? std::optional(same_bits(scratch / fmt::format("{}-1.h5", w.id), checkpoint)) : std::nullopt;
      if (json) {
        fmt::print(R"({{"workload": "{}", "shards": {}, "threads": {}, "seconds": {}, "speed_up": {}, )"
                   R"("efficiency": {}, "same_bits": {}}})"
                   "\n",
                   w.id, its_shards, threads, json_number(seconds), json_number(speed_up), json_number(efficiency),
                   same ? (*same ? "true" : "false") : "null");
      } else {
        fmt::print("{:<6} {:>6} {:>7} {:>10.4f} {:>9.2f} {:>10.0f}% {:>10}\n", w.id, its_shards, threads, seconds,
                   speed_up, 100 * efficiency, same ? (*same ? "yes" : "NO") : "-");
      }
      std::fflush(stdout);
    }
  }
  fs::remove_all(scratch);
  return 0;
}

const Registration registration{kSpec, bench_scaling};

}  // namespace
}  // namespace gibbs::cli
