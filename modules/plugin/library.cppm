// gibbs.plugin:library — one plugin library: dlopen'ed, its descriptor checked (struct size,
// ABI version, name against the file name, option declarations) and copied into C++ values.
module;
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
export module gibbs.plugin:library;
import gibbs.core;
import :model;
import :options;

export namespace gibbs {

inline constexpr unsigned kPluginAbiVersion = 1;  // GIBBS_PLUGIN_ABI_VERSION
inline constexpr std::string_view kPluginSymbol = "gibbs_plugin_v1";
inline constexpr std::string_view kPluginPrefix = "libgibbs-", kPluginSuffix = ".so";

// A subcommand a plugin adds (`gibbs <name> ...`).
struct PluginCommand {
  std::string name;
  std::string summary;
  int (*run)(int, const char* const*, char*, std::size_t) = nullptr;
};

// What a plugin command returned: its exit status and, on failure, its one-line message.
struct CommandResult {
  int status = 0;
  std::string error;
};

// A library that is not a usable plugin; the message is "<file>: <problem>".
class PluginError : public Error {
 public:
  PluginError(const std::filesystem::path& file, const std::string& problem);
  const std::filesystem::path& file() const { return file_; }
  const std::string& problem() const { return problem_; }

 private:
  std::filesystem::path file_;
  std::string problem_;
};

// Frees a model with the plugin's own destroy_model.
struct ModelDeleter {
  void (*destroy)(void*) = nullptr;
  void operator()(Model* model) const noexcept;
};
using ModelPtr = std::unique_ptr<Model, ModelDeleter>;

class PluginLibrary {
 public:
  // Checks `file` (libgibbs-<name>.so: plugin_file_problem), loads it and checks its descriptor;
  // throws PluginError saying what was expected.
  static PluginLibrary open(const std::filesystem::path& file);

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::string& summary() const { return summary_; }
  const std::filesystem::path& file() const { return file_; }
  // The model's options (each default checked to parse as its type, and to follow its rule).
  const std::vector<PluginOption>& options() const { return options_; }
  // The training driver's --batch-size default for this model; 0: the driver's own.
  std::uint64_t default_batch_size() const { return default_batch_size_; }
  const std::vector<PluginCommand>& commands() const { return commands_; }
  const PluginCommand* find_command(std::string_view name) const;
  // Runs the command `name` (one of commands()) with `args`, the words after its name.
  CommandResult run_command(std::string_view name, std::span<const std::string> args) const;

  // A new model; throws PluginError with the plugin's message when its factory fails, or when
  // the plugin was built against another gibbs::Model interface (GIBBS_MODEL_INTERFACE_VERSION).
  // A model must not outlive the library that made it (its code lives there).
  ModelPtr create_model() const;

 private:
  PluginLibrary() = default;

  SharedLibrary library_;  // first, so that it closes last
  std::filesystem::path file_;
  std::string name_, version_, summary_;
  std::vector<PluginOption> options_;
  std::uint64_t default_batch_size_ = 0;
  std::uint32_t model_interface_ = 0;  // 0: the descriptor predates the field
  std::vector<PluginCommand> commands_;
  void* (*create_)(char*, std::size_t) = nullptr;
  void (*destroy_)(void*) = nullptr;
};

// The name a plugin file must declare: "rbm" for ".../libgibbs-rbm.so"; empty for other names.
std::string plugin_name_of(const std::filesystem::path& file);

// Why `file` must not be handed to dlopen, empty when it may: not a regular file ("is a FIFO, not
// a library file", which dlopen would wait on for ever), unreadable, not an ELF shared object of
// this machine's class, byte order and architecture, or "truncated: ..." (a segment past the end
// of the file, which the loader would die of with SIGBUS).
std::string plugin_file_problem(const std::filesystem::path& file);

}  // namespace gibbs
