// A plugin's option declarations as a Program_options description, and the CLI's search path.
#include <fmt/format.h>
#include <boost/program_options.hpp>

#include <cstdint>
#include <string>
#include <variant>

#include "tools/gibbs/plugin_options.h"

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

template <class T>
po::typed_value<T>* typed(const PluginOption& option, const char* value_name) {
  auto* value = po::value<T>()->value_name(value_name);
  if (option.default_value) {
    if constexpr (std::is_same_v<T, std::string>)
      value->default_value(*option.default_value);
    else
      value->default_value(std::get<T>(default_config_value(option)), *option.default_value);
  }
  return value;
}

io::ConfigValue config_value(const po::variable_value& value, OptionType type) {
  switch (type) {
    case OptionType::Int: return value.as<std::int64_t>();
    case OptionType::Float: return value.as<double>();
    case OptionType::String: return value.as<std::string>();
    case OptionType::Flag: return std::int64_t{value.as<bool>() ? 1 : 0};
  }
  return std::int64_t{0};
}

}  // namespace

std::vector<std::string>& plugin_path() {
  static std::vector<std::string> folders;
  return folders;
}

std::vector<SearchFolder> plugin_search_path() { return search_path(plugin_path()); }

po::options_description plugin_options(const std::string& caption, std::span<const PluginOption> options) {
  po::options_description description(caption);
  for (const PluginOption& o : options) {
    const char* name = o.name.c_str();
    // Numeric bounds join the help; choices are the help's own words.
    std::string bounds = o.rule.choices.empty() ? describe(o.rule) : std::string();
    if (o.rule.fixed) bounds += bounds.empty() ? "fixed on --resume" : "; fixed on --resume";
    const std::string text = bounds.empty() ? o.help : fmt::format("{} ({})", o.help, bounds);
    const char* help = text.c_str();
    switch (o.type) {
      case OptionType::Int: description.add_options()(name, typed<std::int64_t>(o, "N"), help); break;
      case OptionType::Float: description.add_options()(name, typed<double>(o, "X"), help); break;
      case OptionType::String: description.add_options()(name, typed<std::string>(o, "TEXT"), help); break;
      case OptionType::Flag:
        description.add_options()(name, po::bool_switch()->default_value(o.default_value == "true"), help);
        break;
    }
  }
  return description;
}

Config given_options(const po::variables_map& vm, std::span<const PluginOption> declared) {
  Config given;
  for (const PluginOption& o : declared)
    if (vm.contains(o.name) && !vm[o.name].defaulted()) given[o.name] = config_value(vm[o.name], o.type);
  return given;
}

}  // namespace gibbs::cli
