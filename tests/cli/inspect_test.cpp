// End-to-end tests of `gibbs inspect`: the real binary describes a checkpoint written by the library
// (exact statistics in --json), a dataset exactly as `gibbs data info` does, compares checkpoints
// (h5diff's exit codes, exact figures), and gives one stderr line and exit 2 for files that lie.
#define BOOST_TEST_MODULE cli_inspect
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tests/io/bad_corpus.h"
#include "tests/support/run_gibbs.h"
import gibbs.io;

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

namespace {

using namespace gibbs::test;

pt::ptree parse(const Result& r) {
  BOOST_TEST_REQUIRE(line_count(r.out) == 1u, r.out);
  std::istringstream json(r.out);
  pt::ptree tree;
  pt::read_json(json, tree);
  return tree;
}

// A path into the JSON tree with '|' between keys: names hold '.' and '/'.
pt::ptree::path_type at(const std::string& path) { return pt::ptree::path_type(path, '|'); }

std::vector<std::size_t> shape(const pt::ptree& tree, const std::string& path) {
  std::vector<std::size_t> dims;
  for (const auto& [_, d] : tree.get_child(at(path))) dims.push_back(d.get_value<std::size_t>());
  return dims;
}

// Known parameters, hyper-parameters, state and history.
gibbs::io::Checkpoint known_checkpoint() {
  gibbs::io::Checkpoint c;
  c.model = "rbm";
  c.plugin_version = "0.1";
  c.engine_version = "0.0.1";
  c.created = "2026-01-31T12:00:00Z";
  c.seed = 42;
  c.config["hidden"] = std::int64_t{3};
  c.config["lr"] = 0.01;
  c.config["sampler"] = std::string("gibbs");
  c.params["W"] = {{2, 3}, {1, 2, 3, 4, 5, 6}};
  c.params["visible_bias"] = {{2}, {-1.0f, 0.5f}};
  c.state["optimizer/velocity_W"] = {{2, 3}, std::vector<float>(6, 0.0f)};
  c.counters["rng/counter"] = 7;
  c.history["reconstruction_mse"] = {0.5, 0.25, 0.125};
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_checkpoint_is_described_with_exact_statistics) {
  TempDir dir;
  gibbs::io::save_checkpoint(known_checkpoint(), dir.path / "run.h5");
  const Result r = run_gibbs("inspect run.h5 --json", dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.err.empty());
  const pt::ptree t = parse(r);
  BOOST_TEST(t.get<std::string>("format") == "gibbs-checkpoint");
  BOOST_TEST(t.get<int>("format_version") == 1);
  BOOST_TEST(t.get<std::string>("model") == "rbm");
  BOOST_TEST(t.get<std::string>("plugin_version") == "0.1");
  BOOST_TEST(t.get<std::string>("engine_version") == "0.0.1");
  BOOST_TEST(t.get<std::string>("simd_target") == "null");  // not recorded
  BOOST_TEST(t.get<std::string>("created") == "2026-01-31T12:00:00Z");
  BOOST_TEST(t.get<std::uint64_t>("seed") == 42u);
  BOOST_TEST(t.get<std::int64_t>(at("config|hidden")) == 3);
  BOOST_TEST(t.get<double>(at("config|lr")) == 0.01);
  BOOST_TEST(t.get<std::string>(at("config|sampler")) == "gibbs");
  BOOST_TEST(r.out.find(R"("hidden": 3,)") != std::string::npos, "an integer stays an integer: " << r.out);

  BOOST_TEST(shape(t, "params|W|shape") == (std::vector<std::size_t>{2, 3}), boost::test_tools::per_element());
  BOOST_TEST(t.get<double>(at("params|W|min")) == 1.0);
  BOOST_TEST(t.get<double>(at("params|W|max")) == 6.0);
  BOOST_TEST(t.get<double>(at("params|W|mean")) == 3.5);
  BOOST_TEST(t.get<double>(at("params|W|std")) == std::sqrt(17.5 / 6));
  BOOST_TEST(t.get<int>(at("params|W|nan")) == 0);
  BOOST_TEST(t.get<int>(at("params|W|size")) == 6);
  BOOST_TEST(shape(t, "params|visible_bias|shape") == (std::vector<std::size_t>{2}), boost::test_tools::per_element());
  BOOST_TEST(t.get<double>(at("params|visible_bias|min")) == -1.0);
  BOOST_TEST(t.get<double>(at("params|visible_bias|max")) == 0.5);
  BOOST_TEST(t.get<double>(at("params|visible_bias|mean")) == -0.25);
  BOOST_TEST(t.get<double>(at("params|visible_bias|std")) == 0.75);

  BOOST_TEST(shape(t, "state|optimizer/velocity_W|shape") == (std::vector<std::size_t>{2, 3}),
             boost::test_tools::per_element());
  BOOST_TEST(t.get<int>(at("counters|rng/counter")) == 7);
  BOOST_TEST(t.get<int>(at("history|reconstruction_mse|length")) == 3);
  BOOST_TEST(t.get<double>(at("history|reconstruction_mse|first")) == 0.5);
  BOOST_TEST(t.get<double>(at("history|reconstruction_mse|last")) == 0.125);

  const Result text = run_gibbs("inspect run.h5", dir.path);
  BOOST_TEST(text.status == 0, text.err);
  for (const char* part :
       {"run.h5: gibbs-checkpoint, format_version 1\n", "  model           rbm\n", "  seed            42\n",
        "  simd_target     (not recorded)\n",
        "  epochs                -      (absent: a resume takes the default, 10)\n",
        "  hidden                3      (default 500)\n", "  lr                    0.01   (default)\n",
        "  sampler               gibbs  (not an option of the model)\n",
        "  W             [2, 3]  1    6    3.5    1.70783  0\n", "  optimizer/velocity_W  [2, 3]\n",
        "  rng/counter           counter 7\n", "  reconstruction_mse  3       0.5    0.125\n"})
    BOOST_TEST(text.out.find(part) != std::string::npos, "missing '" << part << "' in\n" << text.out);
}

BOOST_AUTO_TEST_CASE(a_dataset_is_described_as_data_info_does) {
  TempDir dir;
  gibbs::test::write_bad_corpus(dir.path);
  for (const char* json : {"", " --json"}) {
    const Result inspected = run_gibbs(std::string("inspect good.h5") + json, dir.path);
    const Result info = run_gibbs(std::string("data info good.h5") + json, dir.path);
    BOOST_TEST(inspected.status == 0, inspected.err);
    BOOST_TEST(!inspected.out.empty());
    BOOST_TEST(inspected.out == info.out);
  }
}

BOOST_AUTO_TEST_CASE(a_checkpoint_compared_with_itself_is_identical) {
  TempDir dir;
  gibbs::io::save_checkpoint(known_checkpoint(), dir.path / "run.h5");
  const Result r = run_gibbs("inspect run.h5 --diff run.h5", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out == "run.h5 and run.h5 are identical\n");
  const pt::ptree t = parse(run_gibbs("inspect run.h5 --diff run.h5 --json", dir.path));
  BOOST_TEST(t.get<bool>("identical"));
  BOOST_TEST(t.get<int>("differences") == 0);
  BOOST_TEST(t.get_child("params").empty());
}

BOOST_AUTO_TEST_CASE(one_parameter_element_and_one_hyper_parameter_differ) {
  TempDir dir;
  gibbs::io::Checkpoint c = known_checkpoint();
  gibbs::io::save_checkpoint(c, dir.path / "a.h5");
  c.params["W"].values[4] = 5.5f;
  c.config["lr"] = 0.02;
  c.created = "2026-02-01T00:00:00Z";  // reported, not compared
  gibbs::io::save_checkpoint(c, dir.path / "b.h5");

  const Result r = run_gibbs("inspect a.h5 --diff b.h5 --json", dir.path);
  BOOST_TEST(r.status == 1, r.err);
  BOOST_TEST(r.err.empty(), r.err);  // exit 1 is also a sanitizer's: it would have said so here
  const pt::ptree t = parse(r);
  BOOST_TEST(!t.get<bool>("identical"));
  BOOST_TEST(t.get<int>("differences") == 2);
  BOOST_TEST(t.get<double>(at("config|lr|a")) == 0.01);
  BOOST_TEST(t.get<double>(at("config|lr|b")) == 0.02);
  BOOST_TEST(t.get<int>(at("params|W|differing")) == 1);
  BOOST_TEST(t.get<double>(at("params|W|max_abs")) == 0.5);
  BOOST_TEST(t.get<double>(at("params|W|mean_abs")) == 0.5 / 6);
  BOOST_TEST(t.get<double>(at("params|W|rel_l2")) == 0.5 / std::sqrt(91.0));
  BOOST_TEST(t.get_child("attributes").empty());
  BOOST_TEST(t.get<std::string>(at("created|b")) == "2026-02-01T00:00:00Z");
  for (const char* group : {"state", "counters", "history"}) BOOST_TEST(t.get_child(group).empty(), group);

  const Result text = run_gibbs("inspect a.h5 --diff b.h5", dir.path);
  BOOST_TEST(text.status == 1, text.err);
  BOOST_TEST(text.err.empty(), text.err);
  for (const char* part :
       {"a.h5 and b.h5 differ in 2 entries\n", "  config   lr  0.01 -> 0.02\n",
        "  params   W   [2, 3]: max |a-b| 0.5, mean |a-b| 0.0833333, relative L2 0.0524142 (1 of 6 elements differ)\n",
        "  created  (not compared) 2026-01-31T12:00:00Z vs 2026-02-01T00:00:00Z\n"})
    BOOST_TEST(text.out.find(part) != std::string::npos, "missing '" << part << "' in\n" << text.out);
}

// The same values computed on two SIMD targets: the one attribute that differs says why they might.
BOOST_AUTO_TEST_CASE(the_simd_targets_are_compared) {
  TempDir dir;
  gibbs::io::Checkpoint c = known_checkpoint();
  c.simd_target = "AVX3_DL";
  gibbs::io::save_checkpoint(c, dir.path / "a.h5");
  c.simd_target = "AVX2";
  gibbs::io::save_checkpoint(c, dir.path / "b.h5");
  const Result r = run_gibbs("inspect a.h5 --diff b.h5 --json", dir.path);
  BOOST_TEST(r.status == 1, r.err);
  const pt::ptree t = parse(r);
  BOOST_TEST(t.get<int>("differences") == 1);
  BOOST_TEST(t.get<std::string>(at("attributes|simd_target|a")) == "AVX3_DL");
  BOOST_TEST(t.get<std::string>(at("attributes|simd_target|b")) == "AVX2");
  const Result text = run_gibbs("inspect a.h5 --diff b.h5", dir.path);
  BOOST_TEST(text.out.find("  attributes  simd_target  AVX3_DL vs AVX2\n") != std::string::npos, text.out);
}

BOOST_AUTO_TEST_CASE(shapes_and_entries_on_one_side_only) {
  TempDir dir;
  gibbs::io::Checkpoint c = known_checkpoint();
  gibbs::io::save_checkpoint(c, dir.path / "a.h5");
  c.params["W"].shape = {3, 2};
  c.params.erase("visible_bias");
  c.params["hidden_bias"] = {{3}, {0, 0, 0}};
  c.history["reconstruction_mse"].push_back(0.0625);
  c.seed = 43;
  gibbs::io::save_checkpoint(c, dir.path / "b.h5");

  const Result r = run_gibbs("inspect a.h5 --diff b.h5 --json", dir.path);
  BOOST_TEST(r.status == 1, r.err);
  BOOST_TEST(r.err.empty(), r.err);  // exit 1 is also a sanitizer's: it would have said so here
  const pt::ptree t = parse(r);
  BOOST_TEST(t.get<int>("differences") == 5);
  BOOST_TEST(shape(t, "params|W|shape_a") == (std::vector<std::size_t>{2, 3}), boost::test_tools::per_element());
  BOOST_TEST(shape(t, "params|W|shape_b") == (std::vector<std::size_t>{3, 2}), boost::test_tools::per_element());
  BOOST_TEST(t.get<std::string>(at("params|visible_bias|only_in")) == "a");
  BOOST_TEST(t.get<std::string>(at("params|hidden_bias|only_in")) == "b");
  BOOST_TEST(t.get<int>(at("history|reconstruction_mse|length_a")) == 3);
  BOOST_TEST(t.get<int>(at("history|reconstruction_mse|length_b")) == 4);
  BOOST_TEST(t.get<double>(at("history|reconstruction_mse|max_abs")) == 0.0);
  BOOST_TEST(t.get<std::uint64_t>(at("attributes|seed|b")) == 43u);

  const Result text = run_gibbs("inspect a.h5 --diff b.h5", dir.path);
  BOOST_TEST(text.status == 1);
  BOOST_TEST(text.err.empty(), text.err);
  BOOST_TEST(text.out.find("  params      W                   shape [2, 3] vs [3, 2]\n") != std::string::npos,
             text.out);
  BOOST_TEST(text.out.find("  params      visible_bias        only in a.h5\n") != std::string::npos, text.out);
}

BOOST_AUTO_TEST_CASE(files_that_lie_get_one_line_and_exit_2) {
  TempDir dir;
  const std::vector<gibbs::test::BadFile> corpus = gibbs::test::write_bad_corpus(dir.path);
  gibbs::io::h5::File::create(dir.path / "no-format.h5").root().create_group("params");
  gibbs::io::save_checkpoint(known_checkpoint(), dir.path / "run.h5");
  struct Case {
    std::string file, problem;
  };
  std::vector<Case> cases = {{"missing.h5", "no such file"},
                             {"no-format.h5", "not a gibbs file (no 'format' attribute)"}};
  for (const gibbs::test::BadFile& bad : corpus)
    if (bad.kind != "idx") cases.push_back({bad.name, bad.problem});
  for (const Case& c : cases)
    for (const std::string& args :
         {"inspect " + c.file, "inspect " + c.file + " --json", "inspect " + c.file + " --diff run.h5",
          "inspect run.h5 --diff " + c.file + " --json"}) {
      const Result r = run_gibbs(args, dir.path);
      BOOST_TEST(r.status == 2, args);
      BOOST_TEST(r.out.empty(), args << ": " << r.out);
      BOOST_TEST(line_count(r.err) == 1u, args << ": " << r.err);
      BOOST_TEST(r.err.starts_with("gibbs: " + c.file + ": "), args << ": " << r.err);
      if (args.find("--diff") == std::string::npos)
        BOOST_TEST(r.err.find(c.problem) != std::string::npos, args << ": " << r.err << " lacks " << c.problem);
    }
  const Result dataset = run_gibbs("inspect good.h5 --diff run.h5", dir.path);
  BOOST_TEST(dataset.status == 2);
  BOOST_TEST(dataset.err == "gibbs: good.h5: not a gibbs checkpoint (format 'gibbs-dataset')\n");
  for (const char* args : {"inspect", "inspect a.h5 b.h5", "inspect --diff run.h5"}) {
    const Result r = run_gibbs(args, dir.path);
    BOOST_TEST(r.status == 2, args);
    BOOST_TEST(line_count(r.err) == 1u, args << ": " << r.err);
  }
}
