// gibbs.io:dataset — round trips bit for bit, minibatches in shuffled order, atomic writes,
// and a FormatError naming the file for every kind of file that lies.
#define BOOST_TEST_MODULE dataset
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "tests/io/bad_corpus.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
namespace io = gibbs::io;
using gibbs::Matrix;

namespace {

using namespace gibbs::test;

Matrix<std::uint8_t> pixels(std::size_t rows, std::size_t cols, unsigned seed) {
  Matrix<std::uint8_t> m(rows, cols);
  std::mt19937 rng(seed);
  for (auto& v : m.values()) v = static_cast<std::uint8_t>(rng());
  return m;
}

Matrix<float> floats(std::size_t rows, std::size_t cols) {
  Matrix<float> m(rows, cols);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  for (auto& v : m.values()) v = normal(rng);
  m(0, 0) = -0.0f;
  m(0, 1) = std::numeric_limits<float>::denorm_min();
  return m;
}

std::vector<std::int32_t> labels(std::size_t n) {
  std::vector<std::int32_t> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<std::int32_t>((i * 7) % 10);
  return y;
}

const io::DatasetInfo kInfo{"unit test", {7, 9}, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}};

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_bit_for_bit) {
  TempDir dir;
  const fs::path path = dir.path / "d.h5";
  const Matrix<std::uint8_t> train = pixels(1000, 63, 1);
  const Matrix<float> test = floats(50, 63);
  const std::vector<std::int32_t> y = labels(1000);
  {
    io::DatasetWriter writer(path, kInfo);
    writer.add_split("train", train, 1.0f / 255, y);
    writer.add_split("test", test);
    writer.commit();
  }
  const io::DatasetReader reader(path);
  BOOST_TEST(reader.format_version() == 1);
  BOOST_TEST(reader.info().source == "unit test");
  BOOST_TEST(reader.info().sample_shape == kInfo.sample_shape, boost::test_tools::per_element());
  BOOST_TEST(reader.info().classes == kInfo.classes, boost::test_tools::per_element());
  BOOST_REQUIRE(reader.splits().size() == 2u);
  const io::SplitInfo& s = reader.split("train");
  BOOST_TEST(s.rows == 1000u);
  BOOST_TEST(s.cols == 63u);
  BOOST_TEST((s.encoding == io::Encoding::uint8));
  BOOST_TEST(s.scale == 1.0f / 255);
  BOOST_TEST(s.labelled);
  BOOST_TEST(!reader.split("test").labelled);
  BOOST_TEST((reader.split("test").encoding == io::Encoding::float32));

  std::vector<std::size_t> all(1000);
  std::iota(all.begin(), all.end(), std::size_t{0});
  const Matrix<std::uint8_t> raw = reader.read_uint8("train", all);
  BOOST_TEST(std::memcmp(raw.data(), train.data(), train.size()) == 0);
  BOOST_TEST(reader.labels("train") == y, boost::test_tools::per_element());
  const io::Batch t = reader.read_range("test", 0, 50);
  BOOST_TEST(std::memcmp(t.x.data(), test.data(), test.size() * sizeof(float)) == 0);
  BOOST_TEST(t.y.empty());
  const io::Batch scaled = reader.read_range("train", 10, 2);
  BOOST_TEST(scaled.x(1, 5) == train(11, 5) * (1.0f / 255));
}

BOOST_AUTO_TEST_CASE(regression_targets_round_trip_and_are_checked) {
  TempDir dir;
  const fs::path path = dir.path / "t.h5";
  const Matrix<float> x = floats(40, 3);
  std::vector<float> t(40);
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(i) * 0.25f - 3.0f;
  {
    io::DatasetWriter writer(path, {"unit test", {3}, {}});
    BOOST_CHECK_THROW(writer.add_split("train", x, {}, std::span<const float>(t).first(39)), gibbs::ArgumentError);
    std::vector<float> nan = t;
    nan[7] = std::numeric_limits<float>::quiet_NaN();
    BOOST_CHECK_THROW(writer.add_split("train", x, {}, nan), gibbs::ArgumentError);
    writer.add_split("train", x, {}, t);
    writer.add_split("test", pixels(2, 3, 5), 1.0f);  // a split without targets
    writer.commit();
  }
  const io::DatasetReader reader(path);
  BOOST_TEST(reader.split("train").has_targets);
  BOOST_TEST(!reader.split("train").labelled);
  BOOST_TEST(!reader.split("test").has_targets);
  BOOST_TEST(reader.targets("train") == t, boost::test_tools::per_element());
  BOOST_TEST(reader.targets("test").empty());
  const std::vector<std::size_t> rows = {9, 2, 9};
  const io::Batch b = reader.read("train", rows);
  BOOST_REQUIRE(b.t.size() == 3u);
  BOOST_TEST(b.t[0] == t[9]);
  BOOST_TEST(b.t[1] == t[2]);
  BOOST_TEST(b.t[2] == t[9]);
  BOOST_TEST(b.y.empty());
}

BOOST_AUTO_TEST_CASE(shuffled_minibatches_equal_the_rows) {
  TempDir dir;
  const fs::path path = dir.path / "d.h5";
  const Matrix<std::uint8_t> train = pixels(3000, 63, 2);
  const std::vector<std::int32_t> y = labels(3000);
  {
    io::DatasetWriter writer(path, kInfo);
    writer.add_split("train", train, 0.5f, y);
    writer.commit();
  }
  const io::DatasetReader reader(path);
  std::vector<std::size_t> order(3000);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::shuffle(order.begin(), order.end(), std::mt19937(3));
  order.push_back(order.front());  // a repeat inside the last batch
  for (std::size_t first = 0; first < order.size(); first += 128) {
    const std::span<const std::size_t> rows(order.data() + first, std::min<std::size_t>(128, order.size() - first));
    const io::Batch b = reader.read("train", rows);
    BOOST_REQUIRE(b.x.rows() == rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      BOOST_TEST(b.y[i] == y[rows[i]]);
      for (std::size_t c = 0; c < 63; ++c)
        if (b.x(i, c) != train(rows[i], c) * 0.5f) BOOST_FAIL("row " << rows[i] << " column " << c);
    }
  }
  const std::vector<std::size_t> outside = {3000};
  BOOST_CHECK_THROW(reader.read("train", outside), gibbs::ArgumentError);
  BOOST_CHECK_THROW(reader.read("validation", outside), gibbs::ArgumentError);
}

// The rows asked for go from the file a piece of at most 4 MiB of stored values at a time (1024
// rows of 4096 bytes, 512 of 2048 floats here): rows out of order, repeated, and on both sides of a
// piece's edge come back where they were asked for. read_every_way names the datasets it read
// whole as the untrusted-file child's walk names them.
BOOST_AUTO_TEST_CASE(rows_read_across_pieces_of_the_stored_values) {
  TempDir dir;
  const fs::path path = dir.path / "d.h5";
  Matrix<std::uint8_t> train(2100, 4096);
  for (std::size_t r = 0; r < train.rows(); ++r)
    for (std::size_t c = 0; c < train.cols(); ++c) train(r, c) = static_cast<std::uint8_t>((r * 31 + c * 7) % 251);
  Matrix<float> test(600, 2048);
  for (std::size_t r = 0; r < test.rows(); ++r)
    for (std::size_t c = 0; c < test.cols(); ++c) test(r, c) = static_cast<float>(r) + static_cast<float>(c) / 4096;
  const std::vector<std::int32_t> y = labels(2100);
  {
    io::DatasetWriter writer(path, {"pieces", {4096}, kInfo.classes});
    writer.add_split("train", train, 0.25f, y);
    writer.commit();
  }
  {
    io::DatasetWriter writer(dir.path / "f.h5", {"pieces", {2048}, {}});
    writer.add_split("train", test);
    writer.commit();
  }
  const io::DatasetReader reader(path);
  std::vector<std::size_t> rows(2100);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  std::shuffle(rows.begin(), rows.end(), std::mt19937(5));
  rows.insert(rows.begin() + 700, {2099, 0, 1023, 1024, 2048});
  const io::Batch b = reader.read("train", rows);
  const Matrix<std::uint8_t> stored = reader.read_uint8("train", rows);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    BOOST_TEST(b.y[i] == y[rows[i]]);
    for (std::size_t c = 0; c < train.cols(); ++c)
      if (b.x(i, c) != train(rows[i], c) * 0.25f || stored(i, c) != train(rows[i], c))
        BOOST_FAIL("row " << rows[i] << " column " << c);
  }
  const io::Batch whole = reader.read_range("train", 0, 2100);
  for (std::size_t r = 0; r < train.rows(); ++r)
    for (std::size_t c = 0; c < train.cols(); ++c)
      if (whole.x(r, c) != train(r, c) * 0.25f) BOOST_FAIL("row " << r << " column " << c);
  const io::DatasetReader floats_reader(dir.path / "f.h5");
  std::vector<std::size_t> float_rows(600);
  std::iota(float_rows.begin(), float_rows.end(), std::size_t{0});
  std::shuffle(float_rows.begin(), float_rows.end(), std::mt19937(6));
  float_rows.insert(float_rows.end(), {599, 511, 512, 0, 512});
  const io::Batch f = floats_reader.read("train", float_rows);
  for (std::size_t i = 0; i < float_rows.size(); ++i)
    BOOST_TEST(std::memcmp(f.x.row(i).data(), test.row(float_rows[i]).data(), 2048 * sizeof(float)) == 0);
  BOOST_TEST(reader.read_every_way() == (std::vector<std::string>{"train/x", "train/y"}),
             boost::test_tools::per_element());
  BOOST_TEST(floats_reader.read_every_way() == std::vector<std::string>{"train/x"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_unfinished_write_leaves_nothing_and_keeps_the_old_file) {
  TempDir dir;
  const fs::path path = dir.path / "d.h5";
  std::ofstream(path) << "old";
  {
    io::DatasetWriter writer(path, kInfo);
    writer.add_split("train", pixels(10, 63, 1), 1.0f, labels(10));
    BOOST_CHECK_THROW(writer.add_split("test", pixels(10, 62, 1), 1.0f), gibbs::ShapeError);
    BOOST_CHECK_THROW(writer.add_split("test", pixels(10, 63, 1), 1.0f, labels(9)), gibbs::ArgumentError);
    Matrix<float> nan = floats(3, 63);
    nan(2, 2) = std::numeric_limits<float>::quiet_NaN();
    BOOST_CHECK_THROW(writer.add_split("test", nan), gibbs::ArgumentError);
    std::vector<std::int32_t> big = labels(10);
    big[3] = 10;
    BOOST_CHECK_THROW(writer.add_split("test", pixels(10, 63, 1), 1.0f, big), gibbs::ArgumentError);
  }  // never committed
  BOOST_TEST(fs::file_size(path) == 3u);
  BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
  {
    io::DatasetWriter writer(path, {});
    writer.add_split("test", pixels(10, 63, 1), 1.0f);
    BOOST_CHECK_THROW(writer.commit(), gibbs::ArgumentError);  // no train split
  }
  BOOST_TEST(fs::file_size(path) == 3u);
}

BOOST_AUTO_TEST_CASE(thousands_of_class_names_round_trip) {
  // Issue 14: past about 4,000 names the attribute outgrew HDF5's 64 KiB object header.
  TempDir dir;
  io::DatasetInfo info{"many classes", {2}, {}};
  for (int c = 0; c < 20000; ++c) info.classes.push_back(fmt::format("class number {}", c));
  {
    io::DatasetWriter writer(dir.path / "many.h5", info);
    writer.add_split("train", floats(4, 2), std::vector<std::int32_t>{0, 19999, 5, 7});
    writer.commit();
  }
  const io::DatasetReader reader(dir.path / "many.h5");
  BOOST_TEST(reader.info().classes == info.classes);
}

BOOST_AUTO_TEST_CASE(files_that_lie_are_format_errors_naming_the_file) {
  TempDir dir;
  const std::vector<gibbs::test::BadFile> corpus = gibbs::test::write_bad_corpus(dir.path);
  const io::DatasetReader good(dir.path / "good.h5");
  BOOST_TEST(good.splits().size() == 2u);
  for (const gibbs::test::BadFile& bad : corpus) {
    if (bad.kind != "dataset") continue;
    const fs::path path = dir.path / bad.name;
    try {
      const io::DatasetReader reader(path);
      for (const io::SplitInfo& s : reader.splits()) reader.read_range(s.name, 0, s.rows);
      BOOST_ERROR(bad.name << ": no error");
    } catch (const gibbs::Error& e) {  // a FormatError, or an Hdf5Error when HDF5 itself gives up (truncated.h5)
      BOOST_TEST(std::string(e.what()).starts_with(path.string() + ": "), e.what());
      BOOST_TEST(std::string(e.what()).find(bad.problem) != std::string::npos, e.what() << " lacks " << bad.problem);
      BOOST_TEST((dynamic_cast<const gibbs::FormatError*>(&e) || dynamic_cast<const gibbs::io::h5::Hdf5Error*>(&e)));
    }
  }
}
