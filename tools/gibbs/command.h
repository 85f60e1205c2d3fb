// The CLI's commands, each declared once as a CommandSpec: its name, summary, usage, positional
// argument, options (which of them are required) and whether it takes --threads. Its --help, the
// "<command>: <what> is required (usage: ...)" errors, applying --threads and its row in the
// command tables all derive from the spec. A command file:
//
//   const CommandSpec kSpec{
//       .path = "eval",
//       .summary = "score a checkpoint's model on a dataset split",
//       .usage = {"gibbs eval CKPT [--data FILE] [--split NAME] [--json]"},
//       .positional = {"checkpoint", "CKPT", "the checkpoint"},
//       .options = {
//           {"data", value<std::string>("FILE", ""), "the dataset (default: the one the model was trained on)"},
//           {"output,o", value<std::string>("OUT.csv"), "where to write", kRequired},
//           {"json", "one JSON object instead of text"},
//       },
//       .threads = kThreads,
//   };
//   int eval(const boost::program_options::variables_map& vm);  // vm["checkpoint"], vm["data"], ...
//   const Registration registration{kSpec, eval};
//
// A group (`gibbs data`, `gibbs bench`) is a spec with a .subcommand noun and no run function; its
// subcommands register the same way, with paths that extend the group's ("data synth logic").
//
// A command whose options depend on its arguments (train: the plugin named by --model adds its
// own) registers a function of the raw arguments and calls parse() with the extra options:
//
//   int train(Args args) {
//     ...  // find --model in args and load the plugin; before that, asks_for_help(args) and
//          // kSpec.help() print the driver's help, kSpec.missing("--model NAME") the error
//     const boost::program_options::options_description model = plugin_options(...);
//     const auto vm = kSpec.parse(args, {&model});
//     if (!vm) return 0;  // --help was asked for: printed, the model's options included
//     ...
//   }
//   const Registration registration{kSpec, train};
#pragma once

#include <boost/program_options.hpp>
#include <boost/shared_ptr.hpp>

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Program_options reads "-1" for an unsigned option as 2⁶⁴ − 1 (lexical_cast wraps it): every
// unsigned option of the CLI goes through this instead, which takes only decimal digits and
// otherwise throws invalid_option_value ("the argument ('-1') for option '--chains' is invalid").
// Found by argument-dependent lookup (boost::any), so it must be seen where value<T> is used.
namespace boost {
void validate(boost::any& value, const std::vector<std::string>& tokens, unsigned long*, int);
}  // namespace boost

namespace gibbs::cli {

// Program_options' messages in the CLI's form "--option: problem": "the argument ('x') for option
// '--epochs' is invalid" becomes "--epochs: 'x' is not a valid value"; unrecognised, repeated
// and value-less options likewise. Other text is returned as it is.
std::string option_message(const std::string& text);

// The arguments after the command's name.
using Args = std::span<const std::string>;

enum class Need { optional, required };
inline constexpr Need kRequired = Need::required;

// One row of a command's option table: Program_options' name ("output,o"), value and help.
class Option {
 public:
  // An option with a value, e.g. value<std::size_t>("K", 10).
  Option(const char* names, const boost::program_options::value_semantic* value, const char* help,
         Need need = Need::optional);
  // A switch, e.g. --json.
  Option(const char* names, const char* help);
  // One already described (plugin_options's, from a declaration).
  explicit Option(boost::shared_ptr<boost::program_options::option_description> description);

  const boost::shared_ptr<boost::program_options::option_description>& description() const { return description_; }
  bool required() const { return need_ == Need::required; }
  // As usage lines name it: "-o PNG", "--count P".
  std::string display() const;

 private:
  boost::shared_ptr<boost::program_options::option_description> description_;
  Need need_ = Need::optional;
};

// A value named as the usage line names it, with no default or with one.
template <class T>
boost::program_options::typed_value<T>* value(const char* value_name) {
  return boost::program_options::value<T>()->value_name(value_name);
}
template <class T>
boost::program_options::typed_value<T>* value(const char* value_name, const T& default_value) {
  return value<T>(value_name)->default_value(default_value);
}

// The words that are not options: stored under `name` (a string, or with `many` every word as a
// vector of strings), named `value_name` in usage and errors.
struct Positional {
  const char* name = nullptr;  // none when null
  const char* value_name = "";
  const char* help = "";
  bool required = true;
  bool many = false;
};

// The help of --threads N (worker threads, applied when given; else the global --threads stands).
inline constexpr const char* kThreads = "worker threads (0: one per core)";

struct CommandSpec {
  std::string path{};                // the words after `gibbs`: "eval", "data synth logic"
  std::string summary{};             // its row in the group's command table
  std::vector<std::string> usage{};  // the lines after "usage: "; errors quote the first
  std::string description{};         // a paragraph between the usage and the options in --help
  Positional positional{};
  std::vector<Option> options{};     // --help comes first by itself
  const char* threads = nullptr;     // the help of its --threads N, when it takes one
  const char* subcommand = nullptr;  // a group: what its subcommands are ("benchmark": unknown benchmark 'x')

  // Parses args against the options (and `extra`, sections such as a plugin's options): nullopt
  // when --help was asked for (the help is printed). Otherwise checks the positional and the
  // required options (missing()) and applies --threads when the spec takes it and it is given.
  std::optional<boost::program_options::variables_map> parse(
      Args args, std::initializer_list<const boost::program_options::options_description*> extra = {}) const;
  // Usage, description, arguments and options (and `extra`), as --help prints them.
  std::string help(std::initializer_list<const boost::program_options::options_description*> extra = {}) const;
  // Throws ArgumentError "<path>: <what> is required (usage: <first usage line>)".
  [[noreturn]] void missing(std::string_view what) const;
  // "usage: " and the usage lines, aligned.
  std::string usage_text() const;
};

// Whether args ask for --help (or -h), for a command that must know before it can parse them.
bool asks_for_help(Args args);

using RunParsed = int (*)(const boost::program_options::variables_map& vm);
using RunArgs = int (*)(Args args);

struct Command {
  CommandSpec spec;
  RunParsed run_parsed = nullptr;
  RunArgs run_args = nullptr;     // neither: a group
  std::string_view name() const;  // the last word of the path
};

// Adds a command to the registry during static initialisation (one line at the end of its file).
struct Registration {
  Registration(const CommandSpec& spec, RunParsed run);  // parsed by the spec
  Registration(const CommandSpec& spec, RunArgs run);    // parses its own arguments
  explicit Registration(const CommandSpec& group);       // a group: runs its subcommands
};

// The command at `path` ("data synth"), if registered.
const Command* find_command(std::string_view path);
// The commands directly under `group` ("" for gibbs's own), sorted by name.
std::vector<const Command*> subcommands(std::string_view group);
// "commands:" and a row (name, summary) per subcommand of `group`.
std::string command_table(std::string_view group);

// Runs the subcommand of `group` named by args[0] with the rest. No name prints the group's usage
// and table on stderr (exit 2), "--help" on stdout (exit 0); an unknown name is an ArgumentError
// "unknown <subcommand> '<name>' (see 'gibbs <group> --help')". gibbs's own group prints `usage`.
int dispatch(std::string_view group, Args args, std::string_view usage = {});

}  // namespace gibbs::cli
