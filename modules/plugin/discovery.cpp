// The plugin search path and discovery: every libgibbs-*.so in each folder, in order; a bad
// library is a one-line Problem and the rest still load.
module;
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>
module gibbs.plugin;
import gibbs.core;

namespace fs = std::filesystem;

namespace gibbs {
namespace {

void add_list(std::vector<SearchFolder>& folders, std::string_view list, const std::string& origin) {
  while (true) {
    const auto colon = list.find(':');
    const std::string_view entry = list.substr(0, colon);
    if (!entry.empty()) folders.push_back({fs::path(entry), origin});
    if (colon == std::string_view::npos) return;
    list.remove_prefix(colon + 1);
  }
}

std::string folder_list(std::span<const SearchFolder> folders) {
  std::vector<std::string> names;
  for (const SearchFolder& f : folders) names.push_back(f.path.string());
  return fmt::format("{}", fmt::join(names, ", "));
}

// The plugin files directly in `folder`, sorted by name.
std::vector<fs::path> plugin_files(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(folder, ec))
    if (!plugin_name_of(e.path()).empty() && !e.is_directory(ec)) files.push_back(e.path());
  std::ranges::sort(files);
  return files;
}

}  // namespace

std::string Problem::line() const { return file.string() + ": " + problem; }

fs::path default_plugin_folder() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return (exe.parent_path() / ".." / "lib" / "gibbs" / "plugins").lexically_normal();
}

std::vector<SearchFolder> search_path(std::span<const std::string> plugin_path, const char* environment,
                                      const fs::path& fallback) {
  std::vector<SearchFolder> folders;
  for (const std::string& list : plugin_path) add_list(folders, list, "--plugin-path");
  if (environment != nullptr) add_list(folders, environment, kPluginPathVariable);
  if (!fallback.empty()) folders.push_back({fallback, "default"});
  return folders;
}

std::vector<SearchFolder> search_path(std::span<const std::string> plugin_path) {
  return search_path(plugin_path, std::getenv(kPluginPathVariable), default_plugin_folder());
}

Discovery discover(std::span<const SearchFolder> folders) {
  Discovery found;
  found.searched.assign(folders.begin(), folders.end());
  std::set<std::string> names;
  for (const SearchFolder& folder : folders) {
    std::error_code ec;
    if (!fs::is_directory(folder.path, ec)) {
      if (folder.origin != "default")
        found.problems.push_back({folder.path, fmt::format("no such folder (from {})", folder.origin)});
      continue;
    }
    for (const fs::path& file : plugin_files(folder.path)) {
      const std::string name = plugin_name_of(file);
      if (names.contains(name)) {
        const auto first = std::ranges::find(found.plugins, name, &PluginLibrary::name);
        found.problems.push_back(
            {file, fmt::format("skipped, plugin '{}' already loaded from {}", name, first->file().string())});
        continue;
      }
      try {
        found.plugins.push_back(PluginLibrary::open(file));
        names.insert(name);
      } catch (const PluginError& e) {
        found.problems.push_back({e.file(), e.problem()});
      }
    }
  }
  return found;
}

PluginLibrary load_plugin(std::string_view name, std::span<const SearchFolder> folders) {
  const std::string file = fmt::format("{}{}{}", kPluginPrefix, name, kPluginSuffix);
  if (name.empty() || name.find('/') != std::string_view::npos || plugin_name_of(file) != name)
    throw ArgumentError(fmt::format("'{}' is not a plugin name", name));
  for (const SearchFolder& folder : folders) {
    std::error_code ec;
    if (fs::exists(folder.path / file, ec)) return PluginLibrary::open(folder.path / file);
  }
  throw Error(fmt::format("no plugin '{}' (searched: {})", name, folder_list(folders)));
}

}  // namespace gibbs
