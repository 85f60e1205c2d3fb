// gibbs.plugin:options — hyper-parameters declared once. A model's options (and the training
// driver's) are a plain struct whose for_each(visitor) names every field once:
//
//   struct RbmOptions {
//     std::int64_t hidden;
//     double lr;
//     template <class V> void for_each(V& v) {
//       v(hidden, "hidden", 500, "hidden units", at_least(1));
//       v(lr, "lr", 0.01, "learning rate", positive());
//     }
//   };
//
// The plugin's option table, the command line and its help, validation, the checkpoint's /config
// and its reading on resume all derive from that one list (declared_options, read_options,
// write_options). Fields are std::int64_t (int), double (float), std::string or bool (flag).
module;
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>
export module gibbs.plugin:options;
import gibbs.core;
import gibbs.io;

export namespace gibbs {

// Every hyper-parameter of a run by option name ("hidden", "lr", "batch-size"): the model's and
// the training driver's. Checkpoints keep it in /config; flags are stored as the integers 0 and 1.
using Config = std::map<std::string, io::ConfigValue>;

enum class OptionType { Int, Float, String, Flag };
std::string_view to_string(OptionType type);  // "int", "float", "string", "flag"

// The values an option accepts: numbers within bounds, text among choices, or any value.
struct OptionRule {
  double minimum = -HUGE_VAL, maximum = HUGE_VAL;
  bool minimum_excluded = false, maximum_excluded = false;
  std::vector<std::string> choices;  // of a string option; empty: any text
  bool required = false;             // no default: the option must be given
  bool fixed = false;                // it shapes the model: --resume cannot change it
};
OptionRule positive();                                                       // (0, ∞)
OptionRule non_negative();                                                   // [0, ∞)
OptionRule at_least(double minimum);                                         // [minimum, ∞)
OptionRule in_range(double minimum, double maximum, bool maximum_excluded);  // [minimum, maximum] or [minimum, maximum)
OptionRule one_of(std::initializer_list<std::string_view> choices);
OptionRule required();
OptionRule fixed(OptionRule rule = {});  // `rule`, and the option cannot change on --resume

// What the rule allows, as help text: "positive", "at least 1", "in [0, 1)", "one of: cd, pcd";
// empty for no rule.
std::string describe(const OptionRule& rule);

// One declared option; the default (none for a required option) is the text the help shows.
struct PluginOption {
  std::string name;
  OptionType type = OptionType::String;
  std::optional<std::string> default_value;
  std::string help;
  OptionRule rule;
};

// The one message shape of a bad option value: ArgumentError "--NAME: PROBLEM, got VALUE".
ArgumentError option_error(std::string_view name, std::string_view problem, std::string_view got);
// The text of a configuration value as the user would type it.
std::string option_text(const io::ConfigValue& value);
// Throws option_error unless `value` has the option's type and follows its rule. An int value
// is accepted for a float option.
void check_option(const PluginOption& option, const io::ConfigValue& value);

// config[name], or nullptr when absent.
const io::ConfigValue* find_option(const Config& config, std::string_view name);

// The value of a declared option as a default, converted from the text (checked by the loader).
io::ConfigValue default_config_value(const PluginOption& option);

namespace options_detail {

template <class T>
constexpr OptionType type_of() {
  if constexpr (std::is_same_v<T, std::int64_t>)
    return OptionType::Int;
  else if constexpr (std::is_same_v<T, double>)
    return OptionType::Float;
  else if constexpr (std::is_same_v<T, std::string>)
    return OptionType::String;
  else {
    static_assert(std::is_same_v<T, bool>, "an option is std::int64_t, double, std::string or bool");
    return OptionType::Flag;
  }
}

template <class T>
io::ConfigValue to_config(const T& value) {
  if constexpr (std::is_same_v<T, bool>)
    return std::int64_t{value ? 1 : 0};
  else
    return value;
}

// The Config value (already checked against the option) as the field's type.
template <class T>
T from_config(const io::ConfigValue& value) {
  if constexpr (std::is_same_v<T, bool>)
    return std::get<std::int64_t>(value) != 0;
  else if constexpr (std::is_same_v<T, double>)
    return std::holds_alternative<double>(value) ? std::get<double>(value)
                                                 : static_cast<double>(std::get<std::int64_t>(value));
  else
    return std::get<T>(value);
}

std::string default_text(const io::ConfigValue& value, OptionType type);

struct Declare {
  std::vector<PluginOption>& out;
  template <class T, class D>
  void operator()(T&, const char* name, const D& fallback, const char* help, OptionRule rule = {}) {
    const io::ConfigValue value = to_config(static_cast<T>(fallback));
    std::optional<std::string> text;
    if (!rule.required) text = default_text(value, type_of<T>());
    out.push_back({name, type_of<T>(), text, help, std::move(rule)});
  }
};

struct Read {
  const Config& config;
  template <class T, class D>
  void operator()(T& field, const char* name, const D& fallback, const char* help, OptionRule rule = {}) {
    const io::ConfigValue* value = find_option(config, name);
    if (value == nullptr) {
      if (rule.required) throw option_error(name, "required", "nothing");
      field = static_cast<T>(fallback);
      return;
    }
    check_option({name, type_of<T>(), std::nullopt, help, std::move(rule)}, *value);
    field = from_config<T>(*value);
  }
};

void set_option(Config& config, std::string_view name, io::ConfigValue value);

struct Write {
  Config& config;
  template <class T, class D>
  void operator()(const T& field, const char* name, const D&, const char*, const OptionRule& = {}) {
    set_option(config, name, to_config(field));
  }
};

}  // namespace options_detail

// The options of O, in its for_each order, with their defaults, help and rules.
template <class O>
std::vector<PluginOption> declared_options() {
  std::vector<PluginOption> out;
  O options{};
  options_detail::Declare visitor{out};
  options.for_each(visitor);
  return out;
}

// O from a Config: each option's value, or its default when the Config lacks it (a checkpoint
// written before the option existed); a value of the wrong type or against the rule is an
// option_error.
template <class O>
O read_options(const Config& config) {
  O options{};
  options_detail::Read visitor{config};
  options.for_each(visitor);
  return options;
}

// Every field of `options` into `config` (/config attributes).
template <class O>
void write_options(O options, Config& config) {
  options_detail::Write visitor{config};
  options.for_each(visitor);
}

}  // namespace gibbs
