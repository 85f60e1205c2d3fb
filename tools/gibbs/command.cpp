// The command registry, and what every command's spec derives: parsing, --help, the "is required"
// errors, --threads, the command tables and the dispatch of groups.
#include "tools/gibbs/command.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>
import gibbs.core;

namespace po = boost::program_options;

namespace boost {

void validate(boost::any& value, const std::vector<std::string>& tokens, unsigned long*, int) {
  program_options::validators::check_first_occurrence(value);
  const std::string& text = program_options::validators::get_single_string(tokens);
  unsigned long parsed = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw program_options::invalid_option_value(text);
  value = parsed;
}

}  // namespace boost

namespace gibbs::cli {
namespace {

std::map<std::string, Command, std::less<>>& registry() {
  static std::map<std::string, Command, std::less<>> commands;  // filled during static initialisation
  return commands;
}

void add(Command command) {
  const std::string path = command.spec.path;
  if (!registry().emplace(path, std::move(command)).second) {
    fmt::print(stderr, "gibbs: the command '{}' is registered twice\n", path);
    std::abort();
  }
}

std::string_view parent(std::string_view path) {
  const std::size_t space = path.rfind(' ');
  return space == std::string_view::npos ? std::string_view{} : path.substr(0, space);
}

// What --help lists: --help, the spec's options, --threads.
po::options_description visible_options(const CommandSpec& spec) {
  po::options_description options(fmt::format("gibbs {} options", spec.path));
  options.add_options()("help,h", "print this help");
  for (const Option& o : spec.options) options.add(o.description());
  if (spec.threads != nullptr) options.add_options()("threads", value<int>("N"), spec.threads);
  return options;
}

int run(const Command& command, Args args) {
  if (command.run_parsed != nullptr) {
    const std::optional<po::variables_map> vm = command.spec.parse(args);
    return vm ? command.run_parsed(*vm) : 0;
  }
  if (command.run_args != nullptr) return command.run_args(args);
  return dispatch(command.spec.path, args);
}

}  // namespace

Option::Option(const char* names, const po::value_semantic* value, const char* help, Need need)
    : description_(new po::option_description(names, value, help)), need_(need) {}

Option::Option(const char* names, const char* help)
    : description_(new po::option_description(names, new po::untyped_value(true), help)) {}

Option::Option(boost::shared_ptr<po::option_description> description) : description_(std::move(description)) {}

std::string Option::display() const {
  const std::string& names = description_->format_name();  // "-o [ --output ]" or "--count"
  std::string name = names.starts_with("--") ? names : names.substr(0, 2);
  const po::value_semantic& semantic = *description_->semantic();
  return semantic.max_tokens() == 0 ? name : fmt::format("{} {}", name, semantic.name());
}

std::optional<po::variables_map> CommandSpec::parse(Args args,
                                                    std::initializer_list<const po::options_description*> extra) const {
  po::options_description all;
  all.add(visible_options(*this));
  for (const po::options_description* more : extra) all.add(*more);
  po::positional_options_description position;
  if (positional.name != nullptr && positional.many) {
    all.add_options()(positional.name, value<std::vector<std::string>>(positional.value_name));
    position.add(positional.name, -1);
  } else if (positional.name != nullptr) {
    all.add_options()(positional.name, value<std::string>(positional.value_name));
    position.add(positional.name, 1);
  }
  po::variables_map vm;
  const std::vector<std::string> words(args.begin(), args.end());
  po::store(po::command_line_parser(words).options(all).positional(position).run(), vm);
  po::notify(vm);
  if (vm.contains("help")) {
    fmt::print("{}", help(extra));
    return std::nullopt;
  }
  if (positional.name != nullptr && positional.required && !vm.contains(positional.name))
    missing(positional.value_name);
  for (const Option& o : options)
    if (o.required() && !vm.contains(o.description()->long_name())) missing(o.display());
  if (threads != nullptr && vm.contains("threads")) set_thread_count(vm["threads"].as<int>());
  return vm;
}

std::string CommandSpec::help(std::initializer_list<const po::options_description*> extra) const {
  std::string text = usage_text() + "\n\n";
  if (!description.empty()) text += description + "\n\n";
  const po::options_description options = visible_options(*this);
  if (positional.name != nullptr)
    text += fmt::format("arguments:\n{:<{}}{}\n\n", fmt::format("  {}", positional.value_name),
                        options.get_option_column_width(), positional.help);
  text += fmt::format("{}", fmt::streamed(options));
  for (const po::options_description* more : extra) text += fmt::format("\n{}", fmt::streamed(*more));
  return text;
}

void CommandSpec::missing(std::string_view what) const {
  throw ArgumentError(fmt::format("{}: {} is required (usage: {})", path, what,
                                  usage.empty() ? fmt::format("gibbs {} [options]", path) : usage.front()));
}

std::string CommandSpec::usage_text() const {
  if (usage.empty()) return fmt::format("usage: gibbs {} [options]", path);
  std::string text = "usage: " + usage.front();
  for (std::size_t i = 1; i < usage.size(); ++i) text += "\n       " + usage[i];
  return text;
}

bool asks_for_help(Args args) {
  return std::ranges::any_of(args, [](const std::string& a) { return a == "--help" || a == "-h"; });
}

std::string_view Command::name() const { return std::string_view(spec.path).substr(spec.path.rfind(' ') + 1); }

Registration::Registration(const CommandSpec& spec, RunParsed run) { add(Command{spec, run, nullptr}); }
Registration::Registration(const CommandSpec& spec, RunArgs run) { add(Command{spec, nullptr, run}); }
Registration::Registration(const CommandSpec& group) { add(Command{group, nullptr, nullptr}); }
const Command* find_command(std::string_view path) {
  const auto it = registry().find(path);
  return it == registry().end() ? nullptr : &it->second;
}

std::vector<const Command*> subcommands(std::string_view group) {
  std::vector<const Command*> found;
  for (const auto& [path, command] : registry())
    if (parent(path) == group) found.push_back(&command);
  return found;
}

std::string command_table(std::string_view group) {
  const std::vector<const Command*> table = subcommands(group);
  std::size_t width = 0;
  for (const Command* c : table) width = std::max(width, c->name().size());
  std::string text = "commands:\n";
  for (const Command* c : table) text += fmt::format("  {:<{}}  {}\n", c->name(), width, c->spec.summary);
  return text;
}

int dispatch(std::string_view group, Args args, std::string_view usage) {
  const Command* owner = group.empty() ? nullptr : find_command(group);
  const std::string usage_text = owner != nullptr ? owner->spec.usage_text() : std::string(usage);
  if (args.empty()) {
    fmt::print(stderr, "{}\n\n{}", usage_text, command_table(group));
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    fmt::print("{}\n\n{}", usage_text, command_table(group));
    return 0;
  }
  const std::string path = group.empty() ? args[0] : fmt::format("{} {}", group, args[0]);
  if (const Command* command = find_command(path); command != nullptr && parent(path) == group)
    return run(*command, args.subspan(1));
  throw ArgumentError(fmt::format("unknown {} '{}' (see 'gibbs{}{} --help')",
                                  owner != nullptr && owner->spec.subcommand ? owner->spec.subcommand : "command",
                                  args[0], group.empty() ? "" : " ", group));
}

std::string option_message(const std::string& text) {
  static const std::vector<std::pair<std::regex, const char*>> kForms = {
      {std::regex("the argument \\('(.*)'\\) for option '(.*)' is invalid"), "$2: '$1' is not a valid value"},
      {std::regex("the argument for option '(.*)' is invalid"), "$1: not a valid value"},
      {std::regex("unrecognised option '(.*)'"), "$1: no such option (--help lists them)"},
      {std::regex("option '(.*)' cannot be specified more than once"), "$1: given more than once"},
      {std::regex("the required argument for option '(.*)' is missing"), "$1: needs a value"},
  };
  for (const auto& [form, replacement] : kForms)
    if (std::regex_match(text, form)) return std::regex_replace(text, form, replacement);
  return text;
}

}  // namespace gibbs::cli
