// `gibbs sweep`'s plan: the runs a grid of option values (and seeds) makes, each an ordinary
// `gibbs train` run with its own name, and the declaration that ties a folder to one sweep.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace gibbs::cli {

// One --grid: an option of gibbs train and the values it takes ("hidden=400,200,100").
struct Axis {
  std::string name;  // without the dashes
  std::vector<std::string> values;
};
// ArgumentError "--grid: ..." for text that is not NAME=V1,V2,... (an empty or repeated value).
Axis parse_axis(const std::string& text);

struct SweepRun {
  std::string name;                                         // "hidden-400_seed-1": its files' stem
  std::vector<std::pair<std::string, std::string>> values;  // the swept options' values, seed last
  std::vector<std::string> args;                            // gibbs train's, without -o
};

// Every combination of the axes' values, the first axis varying slowest, each with seeds
// 0 … seeds − 1 when seeds > 0 (innermost). `train_args` go first in every run's args. A run
// name holds letters, digits and . + - only (other characters become ~); two runs of one name,
// no axis and no seeds, or more than 10,000 runs are ArgumentErrors.
std::vector<SweepRun> plan_sweep(const std::vector<std::string>& train_args, const std::vector<Axis>& axes,
                                 std::size_t seeds);

// The text of <folder>/sweep.json for these runs: the same command gives the same text.
std::string sweep_declaration(const std::vector<SweepRun>& runs);

// Whether `folder` may hold this sweep: it is absent, holds no checkpoint (*.h5), or its
// sweep.json is this declaration. Otherwise an ArgumentError naming it ("holds another sweep's
// runs"). With `write`, creates the folder and sweep.json where they are missing.
void claim_folder(const std::filesystem::path& folder, const std::string& declaration, bool write);

}  // namespace gibbs::cli
