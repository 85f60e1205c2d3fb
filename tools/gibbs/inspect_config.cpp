// `gibbs inspect`'s config section, from the declarations: the driver's options, then the
// model's (when its plugin is on the search path), each with its value and whether that is the
// default; then any /config entry nothing declares.
#include <fmt/format.h>

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "tools/gibbs/inspect_config.h"
#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/train.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.train;

namespace gibbs::cli {
namespace {

void add_rows(const std::vector<PluginOption>& declared, const io::Checkpoint& c, std::map<std::string, bool>& shown,
              std::vector<std::vector<std::string>>& rows) {
  for (const PluginOption& o : declared) {
    if (shown[o.name]) continue;
    shown[o.name] = true;
    const auto it = c.config.find(o.name);
    const std::string fallback = o.default_value.value_or("none");
    if (it == c.config.end()) {
      rows.push_back({o.name, "-", fmt::format("(absent: a resume takes the default, {})", fallback)});
      continue;
    }
    const bool flag = o.type == OptionType::Flag && std::holds_alternative<std::int64_t>(it->second);
    const std::string value =
        flag ? (std::get<std::int64_t>(it->second) != 0 ? "true" : "false") : config_text(it->second);
    std::string note;
    if (o.default_value)
      note = it->second == default_config_value(o) ? "(default)" : fmt::format("(default {})", fallback);
    rows.push_back({o.name, value, note});
  }
}

}  // namespace

std::string config_text(const io::ConfigValue& value) {
  return std::visit([](const auto& v) { return fmt::format("{}", v); }, value);
}

ConfigSection config_section(const io::Checkpoint& c) {
  ConfigSection section;
  std::map<std::string, bool> shown;
  std::vector<PluginOption> model_options;
  std::uint64_t batch_size = 0;
  try {
    const PluginLibrary plugin = load_plugin(c.model, plugin_search_path());
    model_options = plugin.options();
    batch_size = plugin.default_batch_size();
  } catch (const Error& e) {
    section.note = fmt::format("options as stored: {}", e.what());
  }
  add_rows(train::declared_options(batch_size), c, shown, section.rows);
  add_rows(model_options, c, shown, section.rows);
  for (const auto& [name, value] : c.config)
    if (!shown[name])
      section.rows.push_back({name, config_text(value), model_options.empty() ? "" : "(not an option of the model)"});
  return section;
}

}  // namespace gibbs::cli
