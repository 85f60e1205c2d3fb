// What the end-to-end benchmarks (`gibbs bench rbm`, `gibbs bench mlp|cnn|autoencoder`, `gibbs
// bench capacity`) share: their peer options, the median, reading a peer script's JSON line, and
// running a peer at its best configuration.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "tools/gibbs/command.h"

namespace gibbs::cli {

// The Python the peer scripts run under unless --python says otherwise: the system's, for which
// Debian's python3-torch and python3-numpy are installed (`python3` on PATH may be another one).
inline constexpr const char* kDefaultPython = "/usr/bin/python3";

// A benchmark's own options followed by the peers' (declared here once): --peers DIR (the peer
// scripts), --python FILE (the Python that runs them) and --no-peers.
std::vector<Option> with_peer_options(std::vector<Option> own);

// The peer scripts' folder and the Python that runs them.
struct PeerScripts {
  std::filesystem::path dir;
  std::filesystem::path python;
};

// From the options with_peer_options adds: nullopt with --no-peers.
std::optional<PeerScripts> peer_scripts(const boost::program_options::variables_map& vm);

// The median (NaN for none).
double median(std::vector<double> values);

// The number after "key": in a JSON line, or the median of the array of numbers there.
std::optional<double> json_value(const std::string& line, const std::string& key);

// The string after "key": in a JSON line, if there is one (\" and \\ unescaped, other escapes left
// as written: for a peer's version).
std::optional<std::string> json_text(const std::string& line, const std::string& key);

// What a peer script printed: its JSON line, or why there is none.
struct PeerOutput {
  std::string line;          // the JSON record, when the script succeeded
  std::string problem;       // else its one-line error (or what failed)
  std::string version = {};  // the record's "version": the PyTorch or NumPy that ran (run_peer_script)
};

// One way to run a peer: its threads, OpenMP's wait policy (PyTorch runs its own OpenMP pool,
// which may spin) and its BLAS's threads.
struct PeerConfig {
  int threads = 1;
  bool spin = false;  // OMP_WAIT_POLICY=ACTIVE, else PASSIVE
  int blas_threads = 1;
  double time_limit = 0;     // seconds after which the run is stopped (0: none)
  std::string name() const;  // "2 threads, OpenMP active, BLAS 1"
};

// A configuration still running after this many times the fastest one's wall time, plus the slack,
// cannot be the best: best_configuration stops it (PyTorch with its OpenMP pool spinning beside
// two BLAS threads on two cores takes minutes where the best takes seconds).
inline constexpr double kPeerTimeFactor = 4, kPeerTimeSlack = 5;

// What a knowledgeable user would try: 1 and 2 threads; with `openmp` (PyTorch) each with OpenMP
// passive and active, and on 2 threads the BLAS on 1 thread or on 2.
std::vector<PeerConfig> peer_configurations(bool openmp);

// Runs `PYTHON DIR/SCRIPT ARGUMENTS --threads T --blas-threads B` with the OpenBLAS kernels of
// the SIMD target gibbs runs on (bench::peer_isa_for) and the configuration's OMP_WAIT_POLICY,
// and returns its last line; a run past the configuration's time limit is killed, said on stderr,
// and returned as its problem. `arguments` is pasted into a shell command: quote paths with
// shell_quote.
PeerOutput run_peer_script(const PeerScripts& peers, const std::string& script, const std::string& arguments,
                           const PeerConfig& config);

// Runs a shell command (stderr joined to stdout): its last line when it exits 0 and that line is
// a JSON record, else the problem (the last line, or "no output").
PeerOutput run_json_command(const std::string& shell_command);

// "pytorch 2.11.0", or the name alone when the peer did not say its version.
std::string peer_label(const std::string& name, const std::string& version);

// 'text' for a POSIX shell.
std::string shell_quote(const std::string& text);

// The peer at its best: run(config) for each configuration, the one with the smallest (non-NaN)
// `seconds`, its `config` naming the configuration (the first run's problem when none ran). Once
// one has measured, the others run with a time limit (kPeerTimeFactor).
template <class Measurement, class Run>
Measurement best_configuration(const std::vector<PeerConfig>& configs, const Run& run) {
  std::optional<Measurement> best;
  double fastest = 0;  // wall seconds of the fastest configuration that measured
  for (PeerConfig c : configs) {
    if (fastest > 0) c.time_limit = kPeerTimeFactor * fastest + kPeerTimeSlack;
    const auto start = std::chrono::steady_clock::now();
    Measurement m = run(c);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!std::isnan(m.seconds)) fastest = fastest > 0 ? std::min(fastest, wall) : wall;
    m.config = c.name();
    if (!best || (std::isnan(best->seconds) && !std::isnan(m.seconds)) || m.seconds < best->seconds) best = m;
  }
  return *best;
}

}  // namespace gibbs::cli
