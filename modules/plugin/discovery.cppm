// gibbs.plugin:discovery — where plugins are looked for (--plugin-path, GIBBS_PLUGIN_PATH, the
// folder installed beside the executable), loading them all, and finding one by name.
module;
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>
export module gibbs.plugin:discovery;
import :library;

export namespace gibbs {

inline constexpr const char* kPluginPathVariable = "GIBBS_PLUGIN_PATH";

struct SearchFolder {
  std::filesystem::path path;
  std::string origin;  // "--plugin-path", "GIBBS_PLUGIN_PATH" or "default"
};

// <folder of the running executable>/../lib/gibbs/plugins (CMake's layout): bin/gibbs beside
// lib/gibbs/plugins, both in an installation, wherever it was moved, and in the build tree.
std::filesystem::path default_plugin_folder();

// The folders in search order: each colon-separated list in `plugin_path` (the --plugin-path
// values), then `environment` (GIBBS_PLUGIN_PATH's value, nullptr when unset), then `fallback`.
// Empty entries are skipped.
std::vector<SearchFolder> search_path(std::span<const std::string> plugin_path, const char* environment,
                                      const std::filesystem::path& fallback);
// The same with the real environment and default_plugin_folder().
std::vector<SearchFolder> search_path(std::span<const std::string> plugin_path);

// A file (or a folder) that was skipped, and why.
struct Problem {
  std::filesystem::path file;
  std::string problem;
  std::string line() const;  // "<file>: <problem>"
};

struct Discovery {
  std::vector<PluginLibrary> plugins;  // in search order; the first of a name wins
  std::vector<Problem> problems;
  std::vector<SearchFolder> searched;
};

// Loads every libgibbs-*.so in `folders`. A bad library (a directory, FIFO or truncated file of
// that name too) becomes a Problem and the others still load; so does a --plugin-path or
// GIBBS_PLUGIN_PATH folder that does not exist (a missing default folder is not one), any folder
// that is not one or cannot be listed, and a library whose name an earlier folder already provided.
Discovery discover(std::span<const SearchFolder> folders);

// The first usable libgibbs-<name>.so along `folders` (one that is not usable is passed over).
// Throws gibbs::Error "no plugin '<name>' (searched: A, B)" when there is none, and the first
// one's PluginError when none is usable.
PluginLibrary load_plugin(std::string_view name, std::span<const SearchFolder> folders);

}  // namespace gibbs
