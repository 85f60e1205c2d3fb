// What the end-to-end benchmarks (`gibbs bench rbm`, `gibbs bench mlp|cnn|autoencoder`) share:
// the median, reading a peer script's JSON line, and running a peer at its better thread count.
#pragma once

#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace gibbs::cli {

// The median (NaN for none).
double median(std::vector<double> values);

// The number after "key": in a JSON line, or the median of the array of numbers there.
std::optional<double> json_value(const std::string& line, const std::string& key);

// What a peer script printed: its JSON line, or why there is none.
struct PeerOutput {
  std::string line;     // the JSON record, when the script succeeded
  std::string problem;  // else its one-line error (or what failed)
};

// Runs `/usr/bin/python3 SCRIPT ARGUMENTS` with the peers' environment (OPENBLAS_CORETYPE=SkylakeX,
// OMP_WAIT_POLICY=PASSIVE) and returns its last line. `arguments` is pasted into a shell
// command: quote paths with shell_quote.
PeerOutput run_peer_script(const std::filesystem::path& script, const std::string& arguments);

// Runs a shell command (stderr joined to stdout): its last line when it exits 0 and that line is
// a JSON record, else the problem (the last line, or "no output").
PeerOutput run_json_command(const std::string& shell_command);

// 'text' for a POSIX shell.
std::string shell_quote(const std::string& text);

// The peer at its best: run(1) and run(2), the one with the smaller (non-NaN) `seconds`.
template <class Measurement, class Run>
Measurement better_of_1_and_2_threads(const Run& run) {
  Measurement one = run(1);
  Measurement two = run(2);
  return std::isnan(one.seconds) || two.seconds < one.seconds ? two : one;
}

}  // namespace gibbs::cli
