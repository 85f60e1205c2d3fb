// The subcommand registry: each tools/gibbs/<command>.cpp registers itself with one line,
//   const gibbs::cli::Registration registration{"name", "one-line summary", run};
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gibbs::cli {

// The arguments after the command's name; a command prints its own --help.
using Args = std::span<const std::string>;
using RunFn = int (*)(Args args);

struct Command {
  std::string_view name;
  std::string_view summary;
  RunFn run;
};

// Every registered command, sorted by name.
std::span<const Command> commands();
const Command* find_command(std::string_view name);

struct Registration {
  Registration(std::string_view name, std::string_view summary, RunFn run);
};

// "usage: ..." and a table of subcommands, for command groups such as `gibbs bench`.
std::string command_table(std::span<const Command> table);

// Runs the command named by args[0] from `table` with the rest. "--help" prints `usage` and
// the table (no name: the same on stderr, exit 2). An unknown name is an ArgumentError:
// "unknown <what> '<name>' (see '<prefix> --help')".
int dispatch(std::string_view what, std::string_view prefix, std::span<const Command> table, std::string_view usage,
             Args args);

}  // namespace gibbs::cli
