// `gibbs plugins [--plugin-path DIRS] [--json]`: the plugins found along the search path (name,
// version, file, summary) and the commands they add, then one stderr line per library or folder that was skipped.
// Exit 0 when a plugin loaded or nothing was wrong; 1 when none loaded and something was wrong.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/json.h"
#include "tools/gibbs/plugin_options.h"

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

void print_text(const Discovery& found) {
  if (found.plugins.empty()) {
    std::vector<std::string> folders;
    for (const SearchFolder& f : found.searched) folders.push_back(f.path.string());
    fmt::print("no plugins found (searched: {})\n", fmt::join(folders, ", "));
    return;
  }
  std::size_t name = 4, version = 7, file = 4;
  for (const PluginLibrary& p : found.plugins) {
    name = std::max(name, p.name().size());
    version = std::max(version, p.version().size());
    file = std::max(file, p.file().string().size());
  }
  fmt::print("{:<{}}  {:<{}}  {:<{}}  {}\n", "name", name, "version", version, "file", file, "summary");
  for (const PluginLibrary& p : found.plugins)
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {}\n", p.name(), name, p.version(), version, p.file().string(), file,
               p.summary());
  std::vector<std::string> commands;
  for (const PluginLibrary& p : found.plugins)
    for (const PluginCommand& c : p.commands())
      commands.push_back(fmt::format("  gibbs {}  {} (plugin {})", c.name, c.summary, p.name()));
  if (!commands.empty()) fmt::print("\ncommands the plugins add:\n{}\n", fmt::join(commands, "\n"));
}

std::string option_json(const PluginOption& o) {
  return fmt::format(R"({{"name": {}, "type": "{}", "default": {}, "help": {}, "rule": {}}})", json_string(o.name),
                     to_string(o.type), o.default_value ? json_string(*o.default_value) : "null", json_string(o.help),
                     json_string(describe(o.rule)));
}

void print_json(const Discovery& found) {
  std::vector<std::string> plugins, problems, searched;
  for (const PluginLibrary& p : found.plugins) {
    std::vector<std::string> options;
    for (const PluginOption& o : p.options()) options.push_back(option_json(o));
    std::vector<std::string> commands;
    for (const PluginCommand& c : p.commands())
      commands.push_back(fmt::format(R"({{"name": {}, "summary": {}}})", json_string(c.name), json_string(c.summary)));
    plugins.push_back(fmt::format(
        R"({{"name": {}, "version": {}, "file": {}, "summary": {}, "default_batch_size": {}, "options": [{}], "commands": [{}]}})",
        json_string(p.name()), json_string(p.version()), json_string(p.file().string()), json_string(p.summary()),
        p.default_batch_size(), fmt::join(options, ", "), fmt::join(commands, ", ")));
  }
  for (const Problem& p : found.problems)
    problems.push_back(
        fmt::format(R"({{"file": {}, "problem": {}}})", json_string(p.file.string()), json_string(p.problem)));
  for (const SearchFolder& f : found.searched)
    searched.push_back(
        fmt::format(R"({{"path": {}, "origin": {}}})", json_string(f.path.string()), json_string(f.origin)));
  fmt::print(R"({{"plugins": [{}], "problems": [{}], "searched": [{}]}})"
             "\n",
             fmt::join(plugins, ", "), fmt::join(problems, ", "), fmt::join(searched, ", "));
}

const CommandSpec kSpec{
    .path = "plugins",
    .summary = "List the model plugins found and any that could not be loaded",
    .usage = {"gibbs plugins [--plugin-path DIRS] [--json]"},
    .options =
        {
            {"plugin-path", value<std::vector<std::string>>("DIRS"),
             "colon-separated folders searched first (before GIBBS_PLUGIN_PATH and the installed folder)"},
            {"json", "one JSON object instead of text"},
        },
};

int plugins(const po::variables_map& vm) {
  if (vm.contains("plugin-path"))
    for (const std::string& dirs : vm["plugin-path"].as<std::vector<std::string>>()) plugin_path().push_back(dirs);

  const Discovery found = discover(plugin_search_path());
  if (vm.contains("json"))
    print_json(found);
  else
    print_text(found);
  std::fflush(stdout);
  for (const Problem& p : found.problems) fmt::print(stderr, "gibbs: {}\n", p.line());
  return found.plugins.empty() && !found.problems.empty() ? 1 : 0;
}

}  // namespace

const Registration registration{kSpec, plugins};

}  // namespace gibbs::cli
