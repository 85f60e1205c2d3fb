// What `gibbs train` shares with the commands that train through it (gibbs bench): a run's
// complete Config from a plugin's declarations.
#pragma once

#include <vector>
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

}  // namespace gibbs::cli
