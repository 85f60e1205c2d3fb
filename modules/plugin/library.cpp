// Loading one plugin library: dlopen, the entry symbol, and every check on its descriptor
// before anything in it is trusted. The ABI header stays in this file.
module;
#include <fmt/format.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>
#include <vector>
#include <string>
#include <system_error>

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

PluginOption read_option(const fs::path& file, const gibbs_plugin_option& o, std::size_t index) {
  if (o.name == nullptr || *o.name == '\0') throw PluginError(file, fmt::format("option {} has no name", index));
  const std::string type = o.type == nullptr ? "(null)" : o.type;
  const auto parsed = option_type(type);
  if (!parsed)
    throw PluginError(file, fmt::format("option '{}' has type '{}', expected int, float, string or flag", o.name, type));
  PluginOption option{o.name, *parsed, std::nullopt, o.help == nullptr ? "" : o.help};
  if (o.default_value != nullptr) {
    option.default_value = o.default_value;
    if (!valid_default(*parsed, *option.default_value))
      throw PluginError(file, fmt::format("option '{}' has default '{}', expected a {} value", o.name,
                                          *option.default_value, type));
  }
  return option;
}

std::vector<PluginCommand> read_commands(const fs::path& file, const gibbs_plugin_command* table, std::size_t count) {
  if (count > 0 && table == nullptr) throw PluginError(file, fmt::format("descriptor declares {} commands but has none", count));
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

std::string_view to_string(OptionType type) {
  switch (type) {
    case OptionType::Int: return "int";
    case OptionType::Float: return "float";
    case OptionType::String: return "string";
    case OptionType::Flag: return "flag";
  }
  return "?";
}

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
  if (d->struct_size < kHeaderSize)
    throw PluginError(file, fmt::format("descriptor struct_size {}, expected at least {}", d->struct_size, kFirstSize));
  if (d->abi_version != GIBBS_PLUGIN_ABI_VERSION)
    throw PluginError(file, fmt::format("ABI version {}, expected {}", d->abi_version, GIBBS_PLUGIN_ABI_VERSION));
  if (d->struct_size < kFirstSize)
    throw PluginError(file, fmt::format("descriptor struct_size {}, expected at least {}", d->struct_size, kFirstSize));
  for (const auto& [field, value] : {std::pair{"name", d->name}, {"version", d->version}, {"summary", d->summary}})
    if (value == nullptr) throw PluginError(file, fmt::format("descriptor has no {}", field));
  const std::string expected = plugin_name_of(file);
  if (d->name != expected)
    throw PluginError(file, fmt::format("descriptor names '{}', expected '{}' (from the file name)", d->name, expected));
  if (d->create_model == nullptr || d->destroy_model == nullptr)
    throw PluginError(file, "descriptor has no create_model or destroy_model");
  if (d->option_count > 0 && d->options == nullptr)
    throw PluginError(file, fmt::format("descriptor declares {} options but has none", d->option_count));
  lib.name_ = d->name;
  lib.version_ = d->version;
  lib.summary_ = d->summary;
  for (std::size_t i = 0; i < d->option_count; ++i) lib.options_.push_back(read_option(file, d->options[i], i));
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
  char error[512] = "";
  void* model = create_(error, sizeof error);
  if (model == nullptr)
    throw PluginError(file_, fmt::format("cannot create a model: {}", *error != '\0' ? error : "no reason given"));
  return ModelPtr(static_cast<Model*>(model), ModelDeleter{destroy_});
}

}  // namespace gibbs
