// `gibbs inspect`'s config section (inspect_config.cpp). It imports gibbs.io: include it last.
#pragma once

#include <string>
#include <vector>
import gibbs.io;

namespace gibbs::cli {

// A /config value as text: 500, 0.01, normal:0.01.
std::string config_text(const io::ConfigValue& value);

// Rows {option, value, whether it is the default} in declaration order (the driver's, then the
// model's), then the entries nothing declares; `note` says why the model's declarations are
// missing when its plugin cannot be loaded.
struct ConfigSection {
  std::vector<std::vector<std::string>> rows;
  std::string note;
};
ConfigSection config_section(const io::Checkpoint& checkpoint);

}  // namespace gibbs::cli
