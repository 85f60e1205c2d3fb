// A plugin's descriptor built from its model type and its options struct, so that the C option
// table is derived from the struct's for_each and written nowhere else:
//
//   const gibbs_plugin_descriptor& descriptor() {
//     return gibbs::plugin_descriptor<RbmModel, RbmOptions>({.name = "rbm", ...});
//   }
//   GIBBS_PLUGIN(descriptor())
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
import gibbs.plugin;

namespace gibbs {

struct PluginInfo {
  const char* name;
  const char* version;
  const char* summary;               // one line
  std::uint64_t default_batch_size;  // the driver's --batch-size default for this model
  std::span<const gibbs_plugin_command> commands = {};
};

namespace descriptor_detail {

// Owns the strings and tables the C descriptor points into.
struct Tables {
  std::vector<PluginOption> options;
  std::vector<std::string> choices;
  std::vector<gibbs_plugin_option> table;
  std::vector<gibbs_plugin_option_rule> rules;
  gibbs_plugin_descriptor descriptor{};

  Tables(std::vector<PluginOption> declared, const PluginInfo& info, void* (*create)(char*, std::size_t))
      : options(std::move(declared)) {
    for (const PluginOption& o : options) {
      std::string joined;
      for (const std::string& c : o.rule.choices) joined += (joined.empty() ? "" : "|") + c;
      choices.push_back(std::move(joined));
    }
    for (std::size_t i = 0; i < options.size(); ++i) {
      const PluginOption& o = options[i];
      table.push_back({o.name.c_str(), to_string(o.type).data(), o.default_value ? o.default_value->c_str() : nullptr,
                       o.help.c_str()});
      const std::uint32_t flags = (o.rule.minimum_excluded ? GIBBS_OPTION_MINIMUM_EXCLUDED : 0u) |
                                  (o.rule.maximum_excluded ? GIBBS_OPTION_MAXIMUM_EXCLUDED : 0u) |
                                  (o.rule.required ? GIBBS_OPTION_REQUIRED : 0u) |
                                  (o.rule.fixed ? GIBBS_OPTION_FIXED : 0u);
      rules.push_back({o.rule.minimum, o.rule.maximum, flags, choices[i].empty() ? nullptr : choices[i].c_str()});
    }
    descriptor = {sizeof(gibbs_plugin_descriptor),
                  GIBBS_PLUGIN_ABI_VERSION,
                  info.name,
                  info.version,
                  info.summary,
                  table.data(),
                  table.size(),
                  create,
                  plugin_destroy,
                  info.commands.data(),
                  info.commands.size(),
                  rules.data(),
                  info.default_batch_size,
                  GIBBS_MODEL_INTERFACE_VERSION};
  }
};

}  // namespace descriptor_detail

// The descriptor of a plugin whose model is M, configured by the options struct O.
template <class M, class O>
const gibbs_plugin_descriptor& plugin_descriptor(const PluginInfo& info) {
  static const descriptor_detail::Tables tables(declared_options<O>(), info, plugin_create<M>);
  return tables.descriptor;
}

}  // namespace gibbs
