// Loading one plugin library: dlopen, the entry symbol, and every check on its descriptor
// before anything in it is trusted. The ABI header stays in this file.
module;
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
module gibbs.plugin;
import gibbs.core;

namespace fs = std::filesystem;

namespace gibbs {

static_assert(kPluginAbiVersion == GIBBS_PLUGIN_ABI_VERSION);
static_assert(kPluginSymbol == GIBBS_PLUGIN_SYMBOL);

namespace {

// struct_size and abi_version come first in every version of the descriptor; the fields up to
// destroy_model are the first release's, the command table was appended after it.
constexpr std::size_t kHeaderSize = offsetof(gibbs_plugin_descriptor, abi_version) + sizeof(uint32_t);
constexpr std::size_t kFirstSize = offsetof(gibbs_plugin_descriptor, commands);
constexpr std::size_t kWithCommands = offsetof(gibbs_plugin_descriptor, command_count) + sizeof(size_t);
constexpr std::size_t kWithRules = offsetof(gibbs_plugin_descriptor, default_batch_size) + sizeof(uint64_t);
constexpr std::size_t kWithModelInterface = offsetof(gibbs_plugin_descriptor, model_interface) + sizeof(uint32_t);
// The driver's option that plugins before option rules declared themselves.
constexpr std::string_view kBatchSize = "batch-size";

std::optional<OptionType> option_type(std::string_view text) {
  for (const OptionType t : {OptionType::Int, OptionType::Float, OptionType::String, OptionType::Flag})
    if (to_string(t) == text) return t;
  return std::nullopt;
}

template <class T>
bool parses_as(const std::string& text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size() && !text.empty();
}

bool valid_default(OptionType type, const std::string& text) {
  switch (type) {
    case OptionType::Int: return parses_as<long long>(text);
    case OptionType::Float: return parses_as<double>(text);
    case OptionType::Flag: return text == "true" || text == "false";
    case OptionType::String: return true;
  }
  return false;
}

OptionRule read_rule(const fs::path& file, const PluginOption& option, const gibbs_plugin_option_rule& r) {
  OptionRule rule;
  rule.minimum = r.minimum;
  rule.maximum = r.maximum;
  rule.minimum_excluded = (r.flags & GIBBS_OPTION_MINIMUM_EXCLUDED) != 0;
  rule.maximum_excluded = (r.flags & GIBBS_OPTION_MAXIMUM_EXCLUDED) != 0;
  rule.required = (r.flags & GIBBS_OPTION_REQUIRED) != 0;
  rule.fixed = (r.flags & GIBBS_OPTION_FIXED) != 0;
  if (std::isnan(rule.minimum) || std::isnan(rule.maximum) || rule.minimum > rule.maximum)
    throw PluginError(file, fmt::format("option '{}' has bounds [{}, {}]", option.name, rule.minimum, rule.maximum));
  if (r.choices != nullptr) {
    if (option.type != OptionType::String)
      throw PluginError(file, fmt::format("option '{}' has choices but is not a string option", option.name));
    const std::string_view all = r.choices;
    for (std::size_t start = 0; start <= all.size();) {
      const std::size_t bar = std::min(all.find('|', start), all.size());
      rule.choices.emplace_back(all.substr(start, bar - start));
      start = bar + 1;
    }
  }
  return rule;
}

PluginOption read_option(const fs::path& file, const gibbs_plugin_option& o, std::size_t index) {
  if (o.name == nullptr || *o.name == '\0') throw PluginError(file, fmt::format("option {} has no name", index));
  const std::string type = o.type == nullptr ? "(null)" : o.type;
  const auto parsed = option_type(type);
  if (!parsed)
    throw PluginError(file,
                      fmt::format("option '{}' has type '{}', expected int, float, string or flag", o.name, type));
  PluginOption option{o.name, *parsed, std::nullopt, o.help == nullptr ? "" : o.help, {}};
  if (o.default_value != nullptr) {
    option.default_value = o.default_value;
    if (!valid_default(*parsed, *option.default_value))
      throw PluginError(
          file, fmt::format("option '{}' has default '{}', expected a {} value", o.name, *option.default_value, type));
  }
  return option;
}

std::vector<PluginCommand> read_commands(const fs::path& file, const gibbs_plugin_command* table, std::size_t count) {
  if (count > 0 && table == nullptr)
    throw PluginError(file, fmt::format("descriptor declares {} commands but has none", count));
  std::vector<PluginCommand> commands;
  for (std::size_t i = 0; i < count; ++i) {
    const gibbs_plugin_command& c = table[i];
    if (c.name == nullptr || *c.name == '\0' || *c.name == '-')
      throw PluginError(file, fmt::format("command {} has no name", i));
    if (c.run == nullptr) throw PluginError(file, fmt::format("command '{}' has no run function", c.name));
    for (const PluginCommand& earlier : commands)
      if (earlier.name == c.name) throw PluginError(file, fmt::format("command '{}' is declared twice", c.name));
    commands.push_back({c.name, c.summary == nullptr ? "" : c.summary, c.run});
  }
  return commands;
}

}  // namespace

PluginError::PluginError(const fs::path& file, const std::string& problem)
    : Error(file.string() + ": " + problem), file_(file), problem_(problem) {}

void ModelDeleter::operator()(Model* model) const noexcept {
  if (destroy != nullptr) destroy(static_cast<void*>(model));
}

std::string plugin_name_of(const fs::path& file) {
  const std::string base = file.filename().string();
  if (!base.starts_with(kPluginPrefix) || !base.ends_with(kPluginSuffix)) return {};
  if (base.size() <= kPluginPrefix.size() + kPluginSuffix.size()) return {};
  return base.substr(kPluginPrefix.size(), base.size() - kPluginPrefix.size() - kPluginSuffix.size());
}

PluginLibrary PluginLibrary::open(const fs::path& file) {
  PluginLibrary lib;
  lib.file_ = file;
  if (const std::string problem = plugin_file_problem(file); !problem.empty()) throw PluginError(file, problem);
  // A path with no '/' would make dlopen search the system folders instead.
  const fs::path where = file.has_parent_path() ? file : fs::path(".") / file;
  try {
    lib.library_ = SharedLibrary::open(where.string());
  } catch (const LibraryError& e) {
    std::string why = e.what();
    if (const std::string prefix = where.string() + ": "; why.starts_with(prefix)) why.erase(0, prefix.size());
    throw PluginError(file, "cannot load: " + why);
  }
  auto* entry = reinterpret_cast<gibbs_plugin_entry>(lib.library_.find(GIBBS_PLUGIN_SYMBOL));
  if (entry == nullptr) throw PluginError(file, "no symbol " GIBBS_PLUGIN_SYMBOL " (is this a gibbs plugin?)");
  const gibbs_plugin_descriptor* d = entry();
  if (d == nullptr) throw PluginError(file, GIBBS_PLUGIN_SYMBOL " returned no descriptor");
  // A descriptor too small to hold abi_version gets the same line as one that holds it but not
  // the rest of the first release's fields: either way nothing past struct_size may be read.
  const auto too_small = [&] {
    return PluginError(file, fmt::format("descriptor struct_size {} is smaller than the {} bytes of plugin ABI "
                                         "version {}'s fields",
                                         d->struct_size, kFirstSize, GIBBS_PLUGIN_ABI_VERSION));
  };
  if (d->struct_size < kHeaderSize) throw too_small();
  if (d->abi_version > GIBBS_PLUGIN_ABI_VERSION)
    throw PluginError(file, fmt::format("built for plugin ABI version {}, newer than this gibbs's {}: rebuild it "
                                        "against this gibbs, or install a newer gibbs",
                                        d->abi_version, GIBBS_PLUGIN_ABI_VERSION));
  if (d->abi_version < GIBBS_PLUGIN_ABI_VERSION)
    throw PluginError(file, fmt::format("built for plugin ABI version {}, older than this gibbs's {}: rebuild it "
                                        "against this gibbs",
                                        d->abi_version, GIBBS_PLUGIN_ABI_VERSION));
  if (d->struct_size < kFirstSize) throw too_small();
  for (const auto& [field, value] : {std::pair{"name", d->name}, {"version", d->version}, {"summary", d->summary}})
    if (value == nullptr) throw PluginError(file, fmt::format("descriptor has no {}", field));
  const std::string expected = plugin_name_of(file);
  if (d->name != expected)
    throw PluginError(file,
                      fmt::format("descriptor names '{}', expected '{}' (from the file name)", d->name, expected));
  if (d->create_model == nullptr || d->destroy_model == nullptr)
    throw PluginError(file, "descriptor has no create_model or destroy_model");
  if (d->option_count > 0 && d->options == nullptr)
    throw PluginError(file, fmt::format("descriptor declares {} options but has none", d->option_count));
  lib.name_ = d->name;
  lib.version_ = d->version;
  lib.summary_ = d->summary;
  const bool has_rules = d->struct_size >= kWithRules;
  for (std::size_t i = 0; i < d->option_count; ++i) {
    PluginOption option = read_option(file, d->options[i], i);
    if (has_rules && d->option_rules != nullptr) option.rule = read_rule(file, option, d->option_rules[i]);
    if (option.default_value && !option.rule.required) {
      try {
        check_option(option, default_config_value(option));
      } catch (const ArgumentError& e) {
        throw PluginError(
            file, fmt::format("option '{}' has default '{}': {}", option.name, *option.default_value, e.what()));
      }
    }
    for (const PluginOption& earlier : lib.options_)
      if (earlier.name == option.name)
        throw PluginError(file, fmt::format("option '{}' is declared twice", option.name));
    lib.options_.push_back(std::move(option));
  }
  if (has_rules) {
    lib.default_batch_size_ = d->default_batch_size;
    if (d->struct_size >= kWithModelInterface) lib.model_interface_ = d->model_interface;
  } else {
    const auto it = std::ranges::find(lib.options_, kBatchSize, &PluginOption::name);
    if (it != lib.options_.end()) {
      if (it->type != OptionType::Int) throw PluginError(file, "option 'batch-size' is not an int option");
      // Without a default the driver's own applies (an option with none reached
      // default_value.value() and ended in std::bad_optional_access: fuzz_plugin_descriptor).
      if (it->default_value)
        lib.default_batch_size_ =
            static_cast<std::uint64_t>(std::max<std::int64_t>(0, std::get<std::int64_t>(default_config_value(*it))));
      lib.options_.erase(it);
    }
  }
  for (const PluginOption& o : lib.options_)
    if (o.name == kBatchSize)
      throw PluginError(file, "option 'batch-size' is the training driver's (give default_batch_size instead)");
  if (d->struct_size >= kWithCommands) lib.commands_ = read_commands(file, d->commands, d->command_count);
  lib.create_ = d->create_model;
  lib.destroy_ = d->destroy_model;
  return lib;
}

const PluginCommand* PluginLibrary::find_command(std::string_view name) const {
  for (const PluginCommand& c : commands_)
    if (c.name == name) return &c;
  return nullptr;
}

CommandResult PluginLibrary::run_command(std::string_view name, std::span<const std::string> args) const {
  const PluginCommand* command = find_command(name);
  if (command == nullptr) throw Error(fmt::format("the {} plugin has no command '{}'", name_, name));
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  char error[1024] = "";
  CommandResult result;
  result.status = command->run(static_cast<int>(args.size()), argv.data(), error, sizeof error);
  if (result.status != 0) result.error = error;
  return result;
}

ModelPtr PluginLibrary::create_model() const {
  if (model_interface_ != GIBBS_MODEL_INTERFACE_VERSION)
    throw PluginError(
        file_,
        model_interface_ == 0
            ? fmt::format("built before gibbs::Model interface {}: rebuild the plugin", GIBBS_MODEL_INTERFACE_VERSION)
            : fmt::format("built against gibbs::Model interface {}, expected {}: rebuild the plugin", model_interface_,
                          GIBBS_MODEL_INTERFACE_VERSION));
  char error[512] = "";
  void* model = create_(error, sizeof error);
  if (model == nullptr)
    throw PluginError(file_, fmt::format("cannot create a model: {}", *error != '\0' ? error : "no reason given"));
  return ModelPtr(static_cast<Model*>(model), ModelDeleter{destroy_});
}

}  // namespace gibbs
