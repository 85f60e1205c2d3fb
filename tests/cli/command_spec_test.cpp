// The CLI's command spec on its own (tools/gibbs/command.h): parsing, the "is required" errors,
// --threads, options added at run time (as train adds a plugin's), groups and their dispatch.
#define BOOST_TEST_MODULE command_spec
#include <boost/program_options.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
import gibbs.core;

namespace po = boost::program_options;
using namespace gibbs::cli;

namespace {

const CommandSpec kProbe{
    .path = "probe",
    .summary = "a command under test",
    .usage = {"gibbs probe FILE -o OUT [--count N] [--flag]", "gibbs probe --help"},
    .positional = {"file", "FILE", "the input"},
    .options =
        {
            {"output,o", value<std::string>("OUT"), "the output", kRequired},
            {"count", value<int>("N", 3), "a count"},
            {"rows", value<std::size_t>("R", 5), "an unsigned count"},
            {"flag", "a switch"},
        },
    .threads = kThreads,
};

// A group and its subcommand, registered as the CLI's own are.
const CommandSpec kGroup{.path = "probe-group", .summary = "a group", .subcommand = "probe"};
const CommandSpec kMember{
    .path = "probe-group member",
    .summary = "its member",
    .options = {{"count", value<int>("N", 1), "a count"}},
};
int member(const po::variables_map& vm) { return 10 + vm["count"].as<int>(); }
const Registration registrations[] = {Registration{kGroup}, {kMember, member}};

std::string error_of(const CommandSpec& spec, const std::vector<std::string>& args) {
  try {
    spec.parse(args);
  } catch (const gibbs::ArgumentError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(parses_the_positional_the_options_and_their_defaults) {
  const std::vector<std::string> args = {"in.h5", "-o", "out.h5", "--flag"};
  const std::optional<po::variables_map> vm = kProbe.parse(args);
  BOOST_TEST_REQUIRE(vm.has_value());
  BOOST_TEST((*vm)["file"].as<std::string>() == "in.h5");
  BOOST_TEST((*vm)["output"].as<std::string>() == "out.h5");
  BOOST_TEST((*vm)["count"].as<int>() == 3);
  BOOST_TEST(vm->contains("flag"));
  BOOST_TEST(!kProbe.parse(std::vector<std::string>{"--help"}).has_value());
}

BOOST_AUTO_TEST_CASE(an_unsigned_option_takes_only_decimal_digits) {
  const auto rows = [](const std::string& text) {
    const std::vector<std::string> args = {"in.h5", "-o", "out.h5", "--rows", text};
    return (*kProbe.parse(args))["rows"].as<std::size_t>();
  };
  BOOST_TEST(rows("0") == 0u);
  BOOST_TEST(rows("18446744073709551615") == 18446744073709551615u);
  // Program_options' own reading would wrap "-1" to 2⁶⁴ − 1.
  for (const char* bad : {"-1", "+3", "1e3", " 4", "18446744073709551616", "0x10"}) {
    const std::vector<std::string> args = {"in.h5", "-o", "out.h5", "--rows", bad};
    BOOST_CHECK_EXCEPTION(kProbe.parse(args), po::invalid_option_value, [&](const po::invalid_option_value& e) {
      return std::string(e.what()) == "the argument ('" + std::string(bad) + "') for option '--rows' is invalid";
    });
  }
  const std::vector<std::string> empty = {"in.h5", "-o", "out.h5", "--rows", ""};
  BOOST_CHECK_THROW(kProbe.parse(empty), po::invalid_option_value);
}

BOOST_AUTO_TEST_CASE(what_is_missing_is_named_with_the_first_usage_line) {
  BOOST_TEST(error_of(kProbe, {"-o", "out.h5"}) ==
             "probe: FILE is required (usage: gibbs probe FILE -o OUT [--count N] [--flag])");
  BOOST_TEST(error_of(kProbe, {"in.h5"}) ==
             "probe: -o OUT is required (usage: gibbs probe FILE -o OUT [--count N] [--flag])");
  BOOST_CHECK_THROW(kProbe.missing("--this or --that"), gibbs::ArgumentError);
  BOOST_TEST(kProbe.usage_text() == "usage: gibbs probe FILE -o OUT [--count N] [--flag]\n       gibbs probe --help");
}

BOOST_AUTO_TEST_CASE(threads_apply_when_given) {
  gibbs::set_thread_count(1);
  kProbe.parse(std::vector<std::string>{"in.h5", "-o", "out.h5"});
  BOOST_TEST(gibbs::thread_count() == 1);
  kProbe.parse(std::vector<std::string>{"in.h5", "-o", "out.h5", "--threads", "2"});
  BOOST_TEST(gibbs::thread_count() == 2);
  gibbs::set_thread_count(0);
}

// As train adds the options of the plugin that --model names: built at run time, parsed with the
// spec's own and shown by --help after them.
BOOST_AUTO_TEST_CASE(options_added_at_run_time) {
  po::options_description model("probe-model options");
  model.add_options()("hidden", value<int>("N", 8), "hidden units");
  const std::vector<std::string> args = {"in.h5", "-o", "out.h5", "--hidden", "5"};
  BOOST_TEST(asks_for_help(args) == false);
  const std::optional<po::variables_map> vm = kProbe.parse(args, {&model});
  BOOST_TEST_REQUIRE(vm.has_value());
  BOOST_TEST((*vm)["hidden"].as<int>() == 5);
  BOOST_TEST((*vm)["count"].as<int>() == 3);
  const std::string help = kProbe.help({&model});
  BOOST_TEST(help.find("gibbs probe options:\n  -h [ --help ]") != std::string::npos, help);
  BOOST_TEST(help.find("\nprobe-model options:\n  --hidden N (=8)") > help.find("--threads N"), help);
  BOOST_CHECK_THROW(kProbe.parse(args), po::unknown_option);  // without them, --hidden is unknown
}

BOOST_AUTO_TEST_CASE(groups_run_their_members) {
  BOOST_TEST(find_command("probe-group member") != nullptr);
  BOOST_TEST(subcommands("probe-group").size() == 1u);
  BOOST_TEST(command_table("probe-group") == "commands:\n  member  its member\n");
  BOOST_TEST(dispatch("probe-group", std::vector<std::string>{"member", "--count", "4"}) == 14);
  BOOST_TEST(dispatch("probe-group", std::vector<std::string>{}) == 2);
  try {
    dispatch("probe-group", std::vector<std::string>{"other"});
    BOOST_FAIL("an unknown member ran");
  } catch (const gibbs::ArgumentError& e) {
    BOOST_TEST(std::string(e.what()) == "unknown probe 'other' (see 'gibbs probe-group --help')");
  }
}
