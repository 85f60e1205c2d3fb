// The subcommand registry and the dispatch shared by `gibbs` and its command groups.
#include "tools/gibbs/command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
import gibbs.core;

namespace gibbs::cli {
namespace {
std::vector<Command>& registry() {
  static std::vector<Command> commands;  // filled during static initialisation
  return commands;
}
}  // namespace

Registration::Registration(std::string_view name, std::string_view summary, RunFn run) {
  auto& all = registry();
  all.insert(std::ranges::upper_bound(all, name, {}, &Command::name), Command{name, summary, run});
}

std::span<const Command> commands() { return registry(); }

const Command* find_command(std::string_view name) {
  const auto it = std::ranges::find(registry(), name, &Command::name);
  return it == registry().end() ? nullptr : &*it;
}

std::string command_table(std::span<const Command> table) {
  std::size_t width = 0;
  for (const Command& c : table) width = std::max(width, c.name.size());
  std::string text = "commands:\n";
  for (const Command& c : table) text += fmt::format("  {:<{}}  {}\n", c.name, width, c.summary);
  return text;
}

int dispatch(std::string_view what, std::string_view prefix, std::span<const Command> table, std::string_view usage,
             Args args) {
  if (args.empty()) {
    fmt::print(stderr, "{}\n\n{}", usage, command_table(table));
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    fmt::print("{}\n\n{}", usage, command_table(table));
    return 0;
  }
  for (const Command& c : table)
    if (c.name == args[0]) return c.run(args.subspan(1));
  throw ArgumentError(fmt::format("unknown {} '{}' (see '{} --help')", what, args[0], prefix));
}

}  // namespace gibbs::cli
