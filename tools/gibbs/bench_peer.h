// What the `gibbs bench` commands share to run the Python peers of bench/peers: the command line
// (at their best: OpenBLAS's SkylakeX kernels, passive OpenMP waits, Debian's /usr/bin/python3),
// the last line a peer prints, numbers read from its JSON line, and medians.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace gibbs::cli {

struct PeerRun {
  bool ok = false;   // exit status 0 and a JSON line last
  std::string line;  // the last non-empty line: the JSON record, or the peer's one-line error
};

// Runs `/usr/bin/python3 SCRIPT ARGUMENTS` with the peers' environment, stderr folded in.
PeerRun run_peer_script(const std::filesystem::path& script, const std::string& arguments);

// The number after "key": in a JSON line, or the median of the array there.
std::optional<double> json_value(const std::string& line, const std::string& key);

double median(std::vector<double> values);

}  // namespace gibbs::cli
