// What `gibbs train` shares with the commands that train through it (gibbs bench, gibbs sweep):
// a run's complete Config from a plugin's declarations, and the run `gibbs train ARGS` would do.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
import gibbs.io;
import gibbs.plugin;

namespace gibbs::cli {

// The model's declared options followed by the driver's (--batch-size defaulting to the model's).
std::vector<PluginOption> declared_options(const PluginLibrary& plugin);

// Every declared option's value: `given`, else (resuming) the checkpoint's, else its default;
// each checked against its declaration (an ArgumentError names the option) before any data is
// read. A name in `given` that nothing declares is an ArgumentError. A --data given becomes an
// absolute path.
Config complete_config(const PluginLibrary& plugin, const Config& given, const io::Checkpoint* resumed);

// What `gibbs train ARGS` trains: its plugin, complete Config and output, every option checked
// (the errors train would give) but no output and no data touched; nullopt when --help was asked
// for (and printed).
struct TrainingPlan {
  PluginLibrary plugin;
  Config config;
  std::string output;
  std::optional<io::Checkpoint> resumed;
  std::string resume;  // the checkpoint resumed, or empty
};
std::optional<TrainingPlan> plan_training(Args args);

}  // namespace gibbs::cli
