// Tests of gibbs.plugin: loading the test plugins (tests/plugin/), the exact line for each broken
// one while the good one still loads, the search order, GIBBS_PLUGIN_PATH, finding a plugin by
// name, hostile plugin folders (issue 14), and a plugin's options as Program_options.
#define BOOST_TEST_MODULE plugin
#include <sys/stat.h>
#include <unistd.h>
#include <boost/program_options.hpp>
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "tests/support/hostile_plugins.h"
#include "tests/support/temp_dir.h"
#include "tools/gibbs/plugin_options.h"
import gibbs.core;

namespace fs = std::filesystem;
namespace po = boost::program_options;

namespace {

const fs::path kPlugins = GIBBS_TEST_PLUGINS;

fs::path plugin(const std::string& name) { return kPlugins / ("libgibbs-" + name + ".so"); }

std::string open_problem(const std::string& name) {
  try {
    gibbs::PluginLibrary::open(plugin(name));
  } catch (const gibbs::PluginError& e) {
    BOOST_TEST(e.file() == plugin(name));
    BOOST_TEST(std::string(e.what()) == plugin(name).string() + ": " + e.problem());
    return e.problem();
  }
  BOOST_FAIL("libgibbs-" + name + ".so loaded");
  return {};
}

std::vector<std::string> lines(const std::vector<gibbs::Problem>& problems) {
  std::vector<std::string> out;
  for (const gibbs::Problem& p : problems) out.push_back(p.line());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(good_plugin_loads_and_makes_a_model) {
  const gibbs::PluginLibrary lib = gibbs::PluginLibrary::open(plugin("testgood"));
  BOOST_TEST(lib.name() == "testgood");
  BOOST_TEST(lib.version() == "1.2.3");
  BOOST_TEST(lib.summary() == "A well-formed plugin for the loader tests");
  BOOST_TEST(lib.file() == plugin("testgood"));
  BOOST_TEST_REQUIRE(lib.options().size() == 3u);
  BOOST_TEST(lib.options()[0].name == "hidden");
  BOOST_TEST((lib.options()[0].type == gibbs::OptionType::Int));
  BOOST_TEST(*lib.options()[0].default_value == "16");
  BOOST_TEST(gibbs::describe(lib.options()[0].rule) == "at least 1");
  BOOST_TEST(lib.options()[1].name == "rate");
  BOOST_TEST((lib.options()[1].type == gibbs::OptionType::Float));
  BOOST_TEST(lib.options()[1].help == "learning rate");
  BOOST_TEST(*lib.options()[1].default_value == "0.05");
  BOOST_TEST(gibbs::describe(lib.options()[1].rule) == "in [0, 1)");
  BOOST_TEST(lib.options()[2].name == "mode");
  BOOST_TEST(gibbs::describe(lib.options()[2].rule) == "one of: fast, slow");
  BOOST_TEST(lib.default_batch_size() == 32u);
  const gibbs::ModelPtr model = lib.create_model();
  BOOST_TEST_REQUIRE(model != nullptr);
  BOOST_TEST(model->name() == "testgood");
}

BOOST_AUTO_TEST_CASE(a_throwing_factory_is_an_error_not_an_exception_across_the_edge) {
  const gibbs::PluginLibrary lib = gibbs::PluginLibrary::open(plugin("testthrows"));
  try {
    lib.create_model();
    BOOST_FAIL("created");
  } catch (const gibbs::PluginError& e) {
    BOOST_TEST(e.problem() == "cannot create a model: the test model refuses");
  }
}

BOOST_AUTO_TEST_CASE(each_broken_library_says_what_was_expected) {
  BOOST_TEST(open_problem("testabi2") ==
             "built for plugin ABI version 2, newer than this gibbs's 1: rebuild it against this gibbs, or install a "
             "newer gibbs");
  BOOST_TEST(open_problem("testabi0") ==
             "built for plugin ABI version 0, older than this gibbs's 1: rebuild it against this gibbs");
  BOOST_TEST(open_problem("testnosym") == "no symbol gibbs_plugin_v1 (is this a gibbs plugin?)");
  BOOST_TEST(open_problem("testsmall") == "descriptor struct_size 16 is smaller than the " +
                                              std::to_string(offsetof(gibbs_plugin_descriptor, commands)) +
                                              " bytes of plugin ABI version 1's fields");
  BOOST_TEST(open_problem("testwrongname") ==
             "descriptor names 'other', expected 'testwrongname' (from the file name)");
  BOOST_TEST(open_problem("junk") == "not a shared library (no ELF header)");
  BOOST_TEST(open_problem("absent") == "cannot read: No such file or directory");
}

BOOST_AUTO_TEST_CASE(commands_are_read_and_run_without_exceptions_crossing) {
  const gibbs::PluginLibrary good = gibbs::PluginLibrary::open(plugin("testgood"));
  BOOST_TEST_REQUIRE(good.commands().size() == 1u);
  BOOST_TEST(good.commands()[0].name == "hello");
  BOOST_TEST(good.commands()[0].summary == "print the arguments (a test command)");
  BOOST_TEST(good.find_command("nosuch") == nullptr);
  const std::vector<std::string> ok{"a", "b"}, fail{"--fail"}, raise{"--throw"};
  BOOST_TEST(good.run_command("hello", ok).status == 0);
  const gibbs::CommandResult failed = good.run_command("hello", fail);
  BOOST_TEST(failed.status == 2);
  BOOST_TEST(failed.error == "hello: asked to fail");
  BOOST_TEST(good.run_command("hello", raise).error == "hello threw");
  // A first-release descriptor (struct_size ends before the command table) loads, with none.
  const gibbs::PluginLibrary v1 = gibbs::PluginLibrary::open(plugin("testv1"));
  BOOST_TEST(v1.commands().empty());
}

BOOST_AUTO_TEST_CASE(a_second_release_descriptor_loads_and_its_batch_size_option_becomes_the_default) {
  const gibbs::PluginLibrary v2 = gibbs::PluginLibrary::open(plugin("testv2"));
  BOOST_TEST_REQUIRE(v2.options().size() == 1u);
  BOOST_TEST(v2.options()[0].name == "rate");
  BOOST_TEST(gibbs::describe(v2.options()[0].rule) == "");
  BOOST_TEST(v2.default_batch_size() == 32u);
  // Its model would be a gibbs::Model of before: none is made.
  BOOST_CHECK_EXCEPTION(v2.create_model(), gibbs::PluginError, [](const gibbs::PluginError& e) {
    return e.problem() == "built before gibbs::Model interface 7: rebuild the plugin";
  });
  BOOST_TEST(gibbs::PluginLibrary::open(plugin("testv1")).default_batch_size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_default_against_its_own_rule_is_refused) {
  BOOST_TEST(open_problem("testbaddefault") == "option 'rate' has default '2': --rate: must be in [0, 1), got 2");
}

BOOST_AUTO_TEST_CASE(discovery_reports_every_bad_library_and_still_loads_the_good_ones) {
  const std::vector<gibbs::SearchFolder> folders{{kPlugins, "--plugin-path"}};
  const gibbs::Discovery found = gibbs::discover(folders);
  std::vector<std::string> names;
  for (const auto& p : found.plugins) names.push_back(p.name());
  BOOST_TEST(names == (std::vector<std::string>{"testgood", "testthrows", "testv1", "testv2"}),
             boost::test_tools::per_element());
  const auto in = [&](const std::string& name, const std::string& problem) {
    return plugin(name).string() + ": " + problem;
  };
  const std::vector<std::string> problems = lines(found.problems);
  BOOST_TEST_REQUIRE(problems.size() == 7u);
  BOOST_TEST(problems[0] == in("junk", "not a shared library (no ELF header)"));
  BOOST_TEST(problems[1].starts_with(in("testabi0", "built for plugin ABI version 0, older")));
  BOOST_TEST(problems[2].starts_with(in("testabi2", "built for plugin ABI version 2, newer")));
  BOOST_TEST(problems[3] == in("testbaddefault", "option 'rate' has default '2': --rate: must be in [0, 1), got 2"));
  BOOST_TEST(problems[4] == in("testnosym", "no symbol gibbs_plugin_v1 (is this a gibbs plugin?)"));
  BOOST_TEST(problems[5].starts_with(in("testsmall", "descriptor struct_size 16")));
  BOOST_TEST(problems[6] ==
             in("testwrongname", "descriptor names 'other', expected 'testwrongname' (from the file name)"));
}

BOOST_AUTO_TEST_CASE(search_path_is_plugin_path_then_environment_then_default) {
  const std::vector<std::string> given{"a:b", "c"};
  const auto folders = gibbs::search_path(given, "d::e:", "/opt/gibbs/lib/gibbs/plugins");
  std::vector<std::string> text;
  for (const auto& f : folders) text.push_back(f.path.string() + " " + f.origin);
  BOOST_TEST(
      text == (std::vector<std::string>{"a --plugin-path", "b --plugin-path", "c --plugin-path", "d GIBBS_PLUGIN_PATH",
                                        "e GIBBS_PLUGIN_PATH", "/opt/gibbs/lib/gibbs/plugins default"}),
      boost::test_tools::per_element());

  // The real environment and the folder beside this executable (bin/ → lib/gibbs/plugins).
  ::setenv("GIBBS_PLUGIN_PATH", "/x:/y", 1);
  const auto real = gibbs::search_path(std::vector<std::string>{"/w"});
  ::unsetenv("GIBBS_PLUGIN_PATH");
  BOOST_TEST_REQUIRE(real.size() == 4u);
  BOOST_TEST(real[1].path == "/x");
  BOOST_TEST(real[2].path == "/y");
  const fs::path exe = fs::read_symlink("/proc/self/exe");
  BOOST_TEST(real[3].path == (exe.parent_path().parent_path() / "lib" / "gibbs" / "plugins"));
  BOOST_TEST(real[3].origin == "default");
}

BOOST_AUTO_TEST_CASE(the_first_folder_wins_and_later_copies_are_reported) {
  gibbs::test::TempDir a("gibbs-plugins-a"), b("gibbs-plugins-b");
  fs::copy_file(plugin("testgood"), a.path / "libgibbs-testgood.so");
  fs::copy_file(plugin("testgood"), b.path / "libgibbs-testgood.so");
  fs::copy_file(plugin("testthrows"), b.path / "libgibbs-testthrows.so");
  // The default folder is a missing one: the build's own holds the real plugins.
  const auto folders =
      gibbs::search_path(std::vector<std::string>{a.path.string()}, b.path.c_str(), a.path / "no-default-here");
  const gibbs::Discovery found = gibbs::discover(folders);
  BOOST_TEST_REQUIRE(found.plugins.size() == 2u);
  BOOST_TEST(found.plugins[0].file() == a.path / "libgibbs-testgood.so");
  BOOST_TEST(found.plugins[1].file() == b.path / "libgibbs-testthrows.so");  // only in GIBBS_PLUGIN_PATH
  BOOST_TEST(lines(found.problems) == (std::vector<std::string>{(b.path / "libgibbs-testgood.so").string() +
                                                                ": skipped, plugin 'testgood' already loaded from " +
                                                                (a.path / "libgibbs-testgood.so").string()}),
             boost::test_tools::per_element());
  BOOST_TEST(gibbs::load_plugin("testgood", folders).file() == a.path / "libgibbs-testgood.so");
}

BOOST_AUTO_TEST_CASE(missing_folders_are_reported_unless_they_are_the_default) {
  const std::vector<gibbs::SearchFolder> folders{{"/no/such/dir", "GIBBS_PLUGIN_PATH"}, {"/no/default", "default"}};
  const gibbs::Discovery found = gibbs::discover(folders);
  BOOST_TEST(found.plugins.empty());
  BOOST_TEST(
      lines(found.problems) == (std::vector<std::string>{"/no/such/dir: no such folder (from GIBBS_PLUGIN_PATH)"}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(finding_a_plugin_by_name) {
  const std::vector<gibbs::SearchFolder> folders{{"/nowhere", "--plugin-path"}, {kPlugins, "GIBBS_PLUGIN_PATH"}};
  BOOST_TEST(gibbs::load_plugin("testgood", folders).name() == "testgood");
  try {
    gibbs::load_plugin("rbm", folders);
    BOOST_FAIL("found rbm");
  } catch (const gibbs::Error& e) {
    BOOST_TEST(std::string(e.what()) == "no plugin 'rbm' (searched: /nowhere, " + kPlugins.string() + ")");
  }
  BOOST_CHECK_EXCEPTION(gibbs::load_plugin("testabi2", folders), gibbs::PluginError, [](const gibbs::PluginError& e) {
    return e.problem().starts_with("built for plugin ABI version 2");
  });
  BOOST_CHECK_THROW(gibbs::load_plugin("../testgood", folders), gibbs::ArgumentError);
}

// Issue 14: a truncated library killed discovery with SIGBUS and a FIFO blocked it for ever; now
// each entry that is not a library for this machine is a Problem and dlopen never sees it.
BOOST_AUTO_TEST_CASE(hostile_entries_are_reported_before_dlopen_and_the_good_plugin_still_loads) {
  gibbs::test::TempDir dir("gibbs-hostile-plugins");
  const std::vector<gibbs::test::HostilePlugin> hostile =
      gibbs::test::write_hostile_plugins(dir.path, plugin("testgood"));
  fs::copy_file(plugin("testgood"), dir.path / "libgibbs-testgood.so");
  std::vector<std::string> expected;
  for (const auto& h : hostile) {
    expected.push_back((dir.path / h.name).string() + ": " + h.problem);
    BOOST_TEST(gibbs::plugin_file_problem(dir.path / h.name) == h.problem);
  }
  BOOST_TEST(gibbs::plugin_file_problem(dir.path / "libgibbs-testgood.so").empty());
  const std::vector<gibbs::SearchFolder> folders{{dir.path, "--plugin-path"}};
  const gibbs::Discovery found = gibbs::discover(folders);
  BOOST_TEST_REQUIRE(found.plugins.size() == 1u);
  BOOST_TEST(found.plugins[0].name() == "testgood");
  BOOST_TEST(lines(found.problems) == expected, boost::test_tools::per_element());
  BOOST_CHECK_EXCEPTION(gibbs::load_plugin("hfifo", folders), gibbs::PluginError,
                        [](const gibbs::PluginError& e) { return e.problem() == "is a FIFO, not a library file"; });
}

// A broken library of a name early on the path no longer hides a good one later on it.
BOOST_AUTO_TEST_CASE(load_plugin_passes_over_a_broken_library_to_the_next_good_one) {
  gibbs::test::TempDir broken("gibbs-plugins-broken"), good("gibbs-plugins-good");
  const std::string library = gibbs::test::slurp(plugin("testgood"));
  gibbs::test::write_bytes(broken.path / "libgibbs-testgood.so",
                           library.substr(0, gibbs::test::elf_needed_size(library) / 2));
  fs::copy_file(plugin("testgood"), good.path / "libgibbs-testgood.so");
  const std::vector<gibbs::SearchFolder> folders{{broken.path, "--plugin-path"}, {good.path, "--plugin-path"}};
  BOOST_TEST(gibbs::load_plugin("testgood", folders).file() == good.path / "libgibbs-testgood.so");
  const std::vector<gibbs::SearchFolder> only_broken{{broken.path, "--plugin-path"}};
  BOOST_CHECK_EXCEPTION(
      gibbs::load_plugin("testgood", only_broken), gibbs::PluginError, [&](const gibbs::PluginError& e) {
        return e.file() == broken.path / "libgibbs-testgood.so" && e.problem().starts_with("truncated: ");
      });
  // discover() reports the broken one and loads the good one.
  const gibbs::Discovery found = gibbs::discover(folders);
  BOOST_TEST_REQUIRE(found.plugins.size() == 1u);
  BOOST_TEST(found.plugins[0].file() == good.path / "libgibbs-testgood.so");
  BOOST_TEST_REQUIRE(found.problems.size() == 1u);
  BOOST_TEST(found.problems[0].problem.starts_with("truncated: "));
}

BOOST_AUTO_TEST_CASE(a_folder_that_is_a_file_or_cannot_be_listed_is_reported) {
  gibbs::test::TempDir dir("gibbs-plugins-folders");
  gibbs::test::write_bytes(dir.path / "file", "not a folder");
  const fs::path locked = dir.path / "locked";
  fs::create_directory(locked);
  ::chmod(locked.c_str(), 0);
  const gibbs::Discovery found =
      gibbs::discover(std::vector<gibbs::SearchFolder>{{dir.path / "file", "GIBBS_PLUGIN_PATH"}, {locked, "default"}});
  ::chmod(locked.c_str(), 0755);
  std::vector<std::string> expected{(dir.path / "file").string() + ": not a folder (from GIBBS_PLUGIN_PATH)"};
  // root reads a folder whatever its mode: the unreadable folder is only tested for other users.
  if (::geteuid() != 0)
    expected.push_back(locked.string() + ": cannot list the folder: Permission denied (from default)");
  else
    BOOST_TEST_MESSAGE("running as root: chmod 000 does not stop root reading a folder; that case is skipped");
  BOOST_TEST(lines(found.problems) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(options_become_program_options_with_their_defaults) {
  const std::vector<gibbs::PluginOption> options{
      {"hidden", gibbs::OptionType::Int, "16", "number of hidden units", {}},
      {"rate", gibbs::OptionType::Float, "0.05", "learning rate", {}},
      {"sampler", gibbs::OptionType::String, "cd", "cd or pcd", {}},
      {"persistent", gibbs::OptionType::Flag, std::nullopt, "keep the chains", {}},
      {"tag", gibbs::OptionType::String, std::nullopt, "no default", {}},
  };
  const po::options_description description = gibbs::cli::plugin_options("test options", options);
  std::ostringstream help;
  help << description;
  BOOST_TEST(help.str().find("--hidden N (=16)") != std::string::npos, help.str());
  BOOST_TEST(help.str().find("--rate X (=0.05)") != std::string::npos, help.str());
  BOOST_TEST(help.str().find("--sampler TEXT (=cd)") != std::string::npos, help.str());
  BOOST_TEST(help.str().find("number of hidden units") != std::string::npos, help.str());

  po::variables_map defaults;
  po::store(po::command_line_parser(std::vector<std::string>{}).options(description).run(), defaults);
  BOOST_TEST(defaults["hidden"].as<std::int64_t>() == 16);
  BOOST_TEST(defaults["rate"].as<double>() == 0.05);
  BOOST_TEST(defaults["sampler"].as<std::string>() == "cd");
  BOOST_TEST(defaults["persistent"].as<bool>() == false);
  BOOST_TEST(!defaults.contains("tag"));

  po::variables_map given;
  po::store(po::command_line_parser(std::vector<std::string>{"--hidden", "64", "--rate=0.5", "--persistent"})
                .options(description)
                .run(),
            given);
  BOOST_TEST(given["hidden"].as<std::int64_t>() == 64);
  BOOST_TEST(given["rate"].as<double>() == 0.5);
  BOOST_TEST(given["persistent"].as<bool>() == true);
}
