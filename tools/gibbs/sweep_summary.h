// What `gibbs sweep` writes once its runs are done: <folder>/summary.csv (or JSON on standard
// output), curves.png and final.png.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tools/gibbs/sweep_plan.h"

namespace gibbs::cli {

struct RunOutcome {
  bool trained = false;  // its gibbs train ended well; otherwise `problem` says how it ended
  std::string problem;
};

// One row per run (its swept values, status, epochs, seconds and the last value of every
// history metric) into <folder>/summary.csv, or printed as one JSON object; every trained run's
// history overlaid in curves.png; each final metric against the first swept option in final.png
// (a line per combination of the other options through the mean over seeds, each seed a dot,
// test_ metrics dashed). Returns the lines to print about what was written.
std::vector<std::string> write_summary(const std::filesystem::path& folder, const std::vector<SweepRun>& runs,
                                       const std::vector<RunOutcome>& outcomes, bool json);

}  // namespace gibbs::cli
