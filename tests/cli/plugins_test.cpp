// End-to-end tests of `gibbs plugins`: the real binary lists the test plugins (text and --json),
// one stderr line per broken library after the list, --plugin-path as a global option too; hostile
// plugin folders (issue 14) neither kill nor block it, --help or a plugin command.
#define BOOST_TEST_MODULE cli_plugins
#include <sys/stat.h>
#include <unistd.h>
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "tests/support/hostile_plugins.h"
#include "tests/support/run_gibbs.h"

namespace fs = std::filesystem;
namespace pt = boost::property_tree;
using namespace gibbs::test;

namespace {

const fs::path kPlugins = GIBBS_TEST_PLUGINS;
const fs::path kRealPlugins = GIBBS_PLUGINS_DIR;  // the build's own folder, the binary's default
const std::string kNoEnv = "GIBBS_PLUGIN_PATH=";  // set, empty: no folders from the environment

std::string file(const std::string& name) { return (kPlugins / ("libgibbs-" + name + ".so")).string(); }

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The seven broken libraries, in file-name order, each once.
void check_problems(const std::string& err) {
  const std::vector<std::string> lines = split(err);
  BOOST_TEST_REQUIRE(lines.size() == 7u, err);
  BOOST_TEST(lines[0] == "gibbs: " + file("junk") + ": not a shared library (no ELF header)");
  BOOST_TEST(
      lines[1] ==
      "gibbs: " + file("testabi0") + ": " +
          std::string("built for plugin ABI version 0, older than this gibbs's 1: rebuild it against this gibbs"));
  BOOST_TEST(lines[2] == "gibbs: " + file("testabi2") + ": " +
                             std::string("built for plugin ABI version 2, newer than this gibbs's 1: rebuild it "
                                         "against this gibbs, or install a newer gibbs"));
  BOOST_TEST(lines[3] ==
             "gibbs: " + file("testbaddefault") + ": option 'rate' has default '2': --rate: must be in [0, 1), got 2");
  BOOST_TEST(lines[4] == "gibbs: " + file("testnosym") + ": no symbol gibbs_plugin_v1 (is this a gibbs plugin?)");
  BOOST_TEST(lines[5] == "gibbs: " + file("testsmall") + ": descriptor struct_size 16 is smaller than the " +
                             std::to_string(offsetof(gibbs_plugin_descriptor, commands)) +
                             " bytes of plugin ABI version 1's fields");
  BOOST_TEST(lines[6] == "gibbs: " + file("testwrongname") +
                             ": descriptor names 'other', expected 'testwrongname' (from the file name)");
}

}  // namespace

BOOST_AUTO_TEST_CASE(lists_the_good_plugins_then_the_problems) {
  TempDir dir;
  const Result r = run_gibbs("plugins --plugin-path '" + kPlugins.string() + "'", dir.path, kNoEnv);
  BOOST_TEST(r.status == 0, r.err);
  const std::vector<std::string> out = split(r.out);
  BOOST_TEST_REQUIRE(out.size() >= 3u, r.out);
  BOOST_TEST(out[0].starts_with("name"), r.out);
  BOOST_TEST(out[0].find("version") != std::string::npos);
  BOOST_TEST(out[0].ends_with("summary"));
  BOOST_TEST(out[1].starts_with("testgood  "), r.out);
  BOOST_TEST(out[1].find(" 1.2.3 ") != std::string::npos);
  BOOST_TEST(out[1].find(" " + file("testgood") + " ") != std::string::npos);
  BOOST_TEST(out[1].ends_with("  A well-formed plugin for the loader tests"));
  BOOST_TEST(out[2].starts_with("testthrows  "), r.out);
  check_problems(r.err);

  // The same folder as a global option.
  const Result global = run_gibbs("--plugin-path '" + kPlugins.string() + "' plugins", dir.path, kNoEnv);
  BOOST_TEST(global.status == 0);
  BOOST_TEST(global.out == r.out);
  BOOST_TEST(global.err == r.err);

  // And from GIBBS_PLUGIN_PATH.
  const Result env = run_gibbs("plugins", dir.path, "GIBBS_PLUGIN_PATH='/no/such/dir:" + kPlugins.string() + "'");
  BOOST_TEST(env.out == r.out);
  BOOST_TEST(env.err == "gibbs: /no/such/dir: no such folder (from GIBBS_PLUGIN_PATH)\n" + r.err);
}

BOOST_AUTO_TEST_CASE(json_lists_plugins_options_problems_and_folders) {
  TempDir dir;
  const Result r = run_gibbs("plugins --json --plugin-path '" + kPlugins.string() + "'", dir.path, kNoEnv);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST_REQUIRE(line_count(r.out) == 1u, r.out);
  std::istringstream json(r.out);
  pt::ptree tree;
  pt::read_json(json, tree);
  const pt::ptree& good = tree.get_child("plugins").front().second;
  BOOST_TEST(good.get<std::string>("name") == "testgood");
  BOOST_TEST(good.get<std::string>("version") == "1.2.3");
  BOOST_TEST(good.get<std::string>("file") == file("testgood"));
  BOOST_TEST(good.get<std::string>("summary") == "A well-formed plugin for the loader tests");
  std::vector<std::string> options;
  for (const auto& [_, o] : good.get_child("options"))
    options.push_back(o.get<std::string>("name") + " " + o.get<std::string>("type") + " " +
                      o.get<std::string>("default") + " " + o.get<std::string>("help"));
  BOOST_TEST(good.get<int>("default_batch_size") == 32);
  std::vector<std::string> rules;
  for (const auto& [_, o] : good.get_child("options")) rules.push_back(o.get<std::string>("rule"));
  BOOST_TEST(rules == (std::vector<std::string>{"at least 1", "in [0, 1)", "one of: fast, slow"}),
             boost::test_tools::per_element());
  BOOST_TEST(options == (std::vector<std::string>{"hidden int 16 number of hidden units",
                                                  "rate float 0.05 learning rate", "mode string fast how to go"}),
             boost::test_tools::per_element());
  const pt::ptree& problems = tree.get_child("problems");
  BOOST_TEST_REQUIRE(problems.size() == 7u);
  BOOST_TEST(problems.back().second.get<std::string>("file") == file("testwrongname"));
  BOOST_TEST(problems.back().second.get<std::string>("problem") ==
             "descriptor names 'other', expected 'testwrongname' (from the file name)");
  const pt::ptree& searched = tree.get_child("searched");
  BOOST_TEST(searched.front().second.get<std::string>("path") == kPlugins.string());
  BOOST_TEST(searched.front().second.get<std::string>("origin") == "--plugin-path");
  BOOST_TEST(searched.back().second.get<std::string>("origin") == "default");
  check_problems(r.err);  // problems go to stderr as well
}

BOOST_AUTO_TEST_CASE(a_missing_folder_is_one_line_and_nothing_loaded_is_exit_1) {
  TempDir dir;
  const Result r = run_gibbs("plugins --plugin-path /no/such/dir", dir.path, kNoEnv);
  BOOST_TEST(r.err == "gibbs: /no/such/dir: no such folder (from --plugin-path)\n");
  // The installed folder beside the binary may hold real plugins; without them, exit 1.
  const bool listed = r.out.starts_with("name");
  BOOST_TEST(r.status == (listed ? 0 : 1), r.out);
  if (!listed) BOOST_TEST(r.out.starts_with("no plugins found (searched: /no/such/dir, "), r.out);
}

BOOST_AUTO_TEST_CASE(help) {
  TempDir dir;
  const Result r = run_gibbs("plugins --help", dir.path);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.out.starts_with("usage: gibbs plugins [--plugin-path DIRS] [--json]"));
  BOOST_TEST(r.out.find("--plugin-path DIRS") != std::string::npos);
}

// A hostile folder used to kill `gibbs plugins`, `gibbs --help` and every plugin command with
// SIGBUS (a truncated library) or block them for ever (a FIFO); `timeout` turns a hang into 124.
BOOST_AUTO_TEST_CASE(hostile_entries_get_one_line_each_and_block_nothing) {
  TempDir dir;
  const fs::path folder = dir.path / "hostile";
  fs::create_directory(folder);
  const std::vector<HostilePlugin> hostile = write_hostile_plugins(folder, file("testgood"));
  fs::copy_file(file("testgood"), folder / "libgibbs-testgood.so");
  std::string expected;
  for (const HostilePlugin& h : hostile) expected += "gibbs: hostile/" + h.name + ": " + h.problem + "\n";

  const Result r = run_gibbs("plugins --plugin-path hostile", dir.path, "timeout 60 env " + kNoEnv);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.err == expected);
  BOOST_TEST(split(r.out).at(1).starts_with("testgood  "), r.out);

  const Result help = run_gibbs("--plugin-path hostile --help", dir.path, "timeout 60 env " + kNoEnv);
  BOOST_TEST(help.status == 0, help.err);
  BOOST_TEST(help.out.find("print the arguments (a test command) (plugin testgood)") != std::string::npos, help.out);

  const Result hello = run_gibbs("--plugin-path hostile hello a b", dir.path, "timeout 60 env " + kNoEnv);
  BOOST_TEST(hello.status == 0, hello.err);
  BOOST_TEST(hello.out == "hello [a] [b]\n");
  BOOST_TEST(hello.err.empty(), hello.err);
}

// A broken libgibbs-rbm.so early on the path made `train --model rbm` fail although `gibbs
// plugins` listed the good one after it; now the first good one is used.
BOOST_AUTO_TEST_CASE(a_broken_plugin_early_on_the_path_does_not_hide_a_good_one) {
  TempDir dir;
  fs::create_directory(dir.path / "broken");
  const std::string rbm = slurp(kRealPlugins / "libgibbs-rbm.so");
  write_bytes(dir.path / "broken" / "libgibbs-rbm.so", rbm.substr(0, elf_needed_size(rbm) / 2));
  const Result help = run_gibbs("--plugin-path broken train --model rbm --help", dir.path, kNoEnv);
  BOOST_TEST(help.status == 0, help.err);
  BOOST_TEST(help.out.find("--hidden N (=500)") != std::string::npos, help.out);

  const Result listed = run_gibbs("plugins --plugin-path broken", dir.path, kNoEnv);
  BOOST_TEST(listed.status == 0, listed.err);
  BOOST_TEST(listed.out.find(" " + (kRealPlugins / "libgibbs-rbm.so").string() + " ") != std::string::npos, listed.out);
  BOOST_TEST(listed.err.starts_with("gibbs: broken/libgibbs-rbm.so: truncated: "), listed.err);
  BOOST_TEST(line_count(listed.err) == 1u, listed.err);
}

BOOST_AUTO_TEST_CASE(an_unreadable_folder_is_reported) {
  if (::geteuid() == 0) {
    BOOST_TEST_MESSAGE("running as root: chmod 000 does not stop root reading a folder; this case is skipped");
    return;
  }
  TempDir dir;
  fs::create_directory(dir.path / "locked");
  ::chmod((dir.path / "locked").c_str(), 0);
  const Result r = run_gibbs("plugins --plugin-path locked", dir.path, kNoEnv);
  ::chmod((dir.path / "locked").c_str(), 0755);
  BOOST_TEST(r.err == "gibbs: locked: cannot list the folder: Permission denied (from --plugin-path)\n");
}
