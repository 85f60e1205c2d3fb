// gibbs.plugin:options — rules, their help text, and the one message shape of a bad value.
module;
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>
module gibbs.plugin;
import gibbs.core;
import gibbs.io;

namespace gibbs {
namespace {

std::string number(double value) { return fmt::format("{}", value); }

bool within(const OptionRule& rule, double value) {
  if (std::isnan(value)) return false;
  if (rule.minimum_excluded ? !(value > rule.minimum) : !(value >= rule.minimum)) return false;
  return rule.maximum_excluded ? value < rule.maximum : value <= rule.maximum;
}

bool has_bounds(const OptionRule& rule) { return rule.minimum != -HUGE_VAL || rule.maximum != HUGE_VAL; }

template <class T>
T parse(const std::string& text) {
  T value{};
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

std::string_view to_string(OptionType type) {
  switch (type) {
    case OptionType::Int: return "int";
    case OptionType::Float: return "float";
    case OptionType::String: return "string";
    case OptionType::Flag: return "flag";
  }
  return "?";
}

OptionRule positive() {
  OptionRule rule = at_least(0);
  rule.minimum_excluded = true;
  return rule;
}
OptionRule non_negative() { return at_least(0); }
OptionRule at_least(double minimum) {
  OptionRule rule;
  rule.minimum = minimum;
  return rule;
}
OptionRule in_range(double minimum, double maximum, bool maximum_excluded) {
  OptionRule rule = at_least(minimum);
  rule.maximum = maximum;
  rule.maximum_excluded = maximum_excluded;
  return rule;
}
OptionRule one_of(std::initializer_list<std::string_view> choices) {
  OptionRule rule;
  for (const std::string_view c : choices) rule.choices.emplace_back(c);
  return rule;
}
OptionRule required() {
  OptionRule rule;
  rule.required = true;
  return rule;
}

OptionRule fixed(OptionRule rule) {
  rule.fixed = true;
  return rule;
}

std::string describe(const OptionRule& rule) {
  if (!rule.choices.empty()) return fmt::format("one of: {}", fmt::join(rule.choices, ", "));
  if (!has_bounds(rule)) return "";
  if (rule.maximum == HUGE_VAL) {
    if (rule.minimum == 0) return rule.minimum_excluded ? "positive" : "0 or more";
    return fmt::format("{} {}", rule.minimum_excluded ? "above" : "at least", number(rule.minimum));
  }
  if (rule.minimum == -HUGE_VAL)
    return fmt::format("{} {}", rule.maximum_excluded ? "below" : "at most", number(rule.maximum));
  return fmt::format("in {}{}, {}{}", rule.minimum_excluded ? '(' : '[', number(rule.minimum), number(rule.maximum),
                     rule.maximum_excluded ? ')' : ']');
}

ArgumentError option_error(std::string_view name, std::string_view problem, std::string_view got) {
  return ArgumentError(fmt::format("--{}: {}, got {}", name, problem, got));
}

std::string option_text(const io::ConfigValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return fmt::format("'{}'", *text);
  if (const auto* d = std::get_if<double>(&value)) return number(*d);
  return std::to_string(std::get<std::int64_t>(value));
}

void check_option(const PluginOption& option, const io::ConfigValue& value) {
  const auto fail = [&](std::string_view problem) { throw option_error(option.name, problem, option_text(value)); };
  double numeric = NAN;
  switch (option.type) {
    case OptionType::Int:
      if (!std::holds_alternative<std::int64_t>(value)) fail("must be an integer");
      numeric = static_cast<double>(std::get<std::int64_t>(value));
      break;
    case OptionType::Float:
      if (std::holds_alternative<std::string>(value)) fail("must be a number");
      numeric = std::holds_alternative<double>(value) ? std::get<double>(value)
                                                      : static_cast<double>(std::get<std::int64_t>(value));
      if (!std::isfinite(numeric)) fail("must be a finite number");
      break;
    case OptionType::Flag:
      if (!std::holds_alternative<std::int64_t>(value) || (std::get<std::int64_t>(value) & ~std::int64_t{1}) != 0)
        fail("must be a flag (0 or 1)");
      return;
    case OptionType::String:
      if (!std::holds_alternative<std::string>(value)) fail("must be text");
      if (!option.rule.choices.empty()) {
        const std::string& text = std::get<std::string>(value);
        bool known = false;
        for (const std::string& c : option.rule.choices) known = known || c == text;
        if (!known) fail(fmt::format("must be {}", describe(option.rule)));
      }
      return;
  }
  if (has_bounds(option.rule) && !within(option.rule, numeric)) fail("must be " + describe(option.rule));
}

const io::ConfigValue* find_option(const Config& config, std::string_view name) {
  const auto it = config.find(std::string(name));
  return it == config.end() ? nullptr : &it->second;
}

io::ConfigValue default_config_value(const PluginOption& option) {
  const std::string& text = option.default_value.value();
  switch (option.type) {
    case OptionType::Int: return parse<std::int64_t>(text);
    case OptionType::Float: return parse<double>(text);
    case OptionType::Flag: return std::int64_t{text == "true" ? 1 : 0};
    case OptionType::String: return text;
  }
  return text;
}

namespace options_detail {

void set_option(Config& config, std::string_view name, io::ConfigValue value) {
  config[std::string(name)] = std::move(value);
}

std::string default_text(const io::ConfigValue& value, OptionType type) {
  if (type == OptionType::Flag) return std::get<std::int64_t>(value) != 0 ? "true" : "false";
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  return option_text(value);
}

}  // namespace options_detail
}  // namespace gibbs
