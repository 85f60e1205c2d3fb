// The plugin search path and discovery: every libgibbs-*.so in each folder, in order; a bad
// library is a one-line Problem and the rest still load.
module;
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
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

// The entries named like a plugin directly in `folder`, sorted by name, whatever their kind:
// PluginLibrary::open says why a directory or a FIFO is not a plugin. A folder that cannot be
// listed is a Problem.
std::vector<fs::path> plugin_files(const SearchFolder& folder, std::vector<Problem>& problems) {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::directory_iterator it(folder.path, ec);
  for (const fs::directory_iterator end; !ec && it != end; it.increment(ec))
    if (!plugin_name_of(it->path()).empty()) files.push_back(it->path());
  if (ec)
    problems.push_back({folder.path, fmt::format("cannot list the folder: {} (from {})", ec.message(), folder.origin)});
  std::ranges::sort(files);
  return files;
}

}  // namespace

std::string Problem::line() const { return file.string() + ": " + problem; }

fs::path default_plugin_folder() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return (exe.parent_path() / GIBBS_PLUGINS_FROM_BIN).lexically_normal();
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
    const fs::file_status status = fs::status(folder.path, ec);
    if (!fs::is_directory(status)) {
      if (fs::exists(status))
        found.problems.push_back({folder.path, fmt::format("not a folder (from {})", folder.origin)});
      else if (folder.origin != "default")
        found.problems.push_back({folder.path, fmt::format("no such folder (from {})", folder.origin)});
      continue;
    }
    for (const fs::path& file : plugin_files(folder, found.problems)) {
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
  // The first good one: a broken library early on the path does not hide a good one after it
  // (`gibbs plugins` reports it); when none is good, the first one's problem.
  std::optional<PluginError> first_problem;
  for (const SearchFolder& folder : folders) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(folder.path / file, ec))) continue;
    try {
      return PluginLibrary::open(folder.path / file);
    } catch (const PluginError& e) {
      if (!first_problem) first_problem = e;
    }
  }
  if (first_problem) throw *first_problem;
  throw Error(fmt::format("no plugin '{}' (searched: {})", name, folder_list(folders)));
}

}  // namespace gibbs
