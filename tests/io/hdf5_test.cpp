// gibbs.io:hdf5 and :atomic — attribute and dataset round trips bit for bit, row selections,
// typed errors that name the file, and atomic files that appear whole or not at all.
#define BOOST_TEST_MODULE hdf5
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <string>
#include <vector>
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
namespace h5 = gibbs::io::h5;

namespace {

using namespace gibbs::test;

bool mentions(const std::exception& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(attributes_round_trip) {
  TempDir dir;
  const fs::path path = dir.path / "a.h5";
  const std::vector<std::string> names = {"T-shirt/top", "Trouser", "", "Ankle boot"};
  const std::vector<std::int64_t> ints = {28, 28, -1, std::numeric_limits<std::int64_t>::max()};
  const std::vector<double> doubles = {0.1, -0.0, 1e-310, std::numeric_limits<double>::infinity()};
  {
    h5::File file = h5::File::create(path);
    h5::Group root = file.root();
    root.set_attribute("format", "gibbs-test");
    root.set_attribute("version", std::int64_t{7});
    root.set_attribute("seed", std::uint64_t{0xfedcba9876543210});
    root.set_attribute("rate", 0.125);
    root.set_attribute("names", std::span<const std::string>(names));
    root.set_attribute("ints", std::span<const std::int64_t>(ints));
    root.set_attribute("doubles", std::span<const double>(doubles));
    root.set_attribute("version", std::int64_t{8});  // overwrites
    file.close();
  }
  h5::File file = h5::File::open(path);
  const h5::Group root = file.root();
  BOOST_TEST(root.string_attribute("format") == "gibbs-test");
  BOOST_TEST(root.int_attribute("version") == 8);
  BOOST_TEST(root.uint_attribute("seed") == 0xfedcba9876543210u);
  BOOST_TEST(root.double_attribute("rate") == 0.125);
  BOOST_TEST(root.double_attribute("version") == 8.0);  // integers widen to double
  BOOST_TEST(root.strings_attribute("names") == names, boost::test_tools::per_element());
  BOOST_TEST(root.ints_attribute("ints") == ints, boost::test_tools::per_element());
  const std::vector<double> back = root.doubles_attribute("doubles");
  BOOST_REQUIRE(back.size() == doubles.size());
  for (std::size_t i = 0; i < back.size(); ++i)
    BOOST_TEST(std::bit_cast<std::uint64_t>(back[i]) == std::bit_cast<std::uint64_t>(doubles[i]));
  BOOST_TEST(root.strings_attribute("format") == std::vector<std::string>{"gibbs-test"},
             boost::test_tools::per_element());
  BOOST_TEST((root.attribute_layout("ints").type == h5::Type::int64));
  BOOST_TEST(root.attribute_names().size() == 7u);
  BOOST_TEST(!root.has_attribute("nope"));
}

BOOST_AUTO_TEST_CASE(attribute_type_mismatches_are_format_errors_naming_the_file) {
  TempDir dir;
  const fs::path path = dir.path / "b.h5";
  {
    h5::File file = h5::File::create(path);
    file.root().set_attribute("format", 3.5);
  }
  const h5::File file = h5::File::open(path);
  BOOST_CHECK_EXCEPTION(file.root().int_attribute("format"), gibbs::FormatError, [&](const gibbs::FormatError& e) {
    return mentions(e, path.string()) && mentions(e, "float64, expected integer");
  });
  BOOST_CHECK_EXCEPTION(file.root().string_attribute("format"), gibbs::FormatError,
                        [](const gibbs::FormatError& e) { return mentions(e, "expected string"); });
  BOOST_CHECK_EXCEPTION(file.root().string_attribute("missing"), gibbs::FormatError,
                        [](const gibbs::FormatError& e) { return mentions(e, "attribute 'missing' of / is missing"); });
}

BOOST_AUTO_TEST_CASE(datasets_round_trip_and_rows_select) {
  TempDir dir;
  const fs::path path = dir.path / "c.h5";
  const std::size_t rows = 1000, cols = 37;
  std::vector<float> x(rows * cols);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i)) * 1e3f;
  x[5] = -0.0f;
  x[6] = std::numeric_limits<float>::denorm_min();
  std::vector<std::uint8_t> u(rows * cols);
  for (std::size_t i = 0; i < u.size(); ++i) u[i] = static_cast<std::uint8_t>(i * 7);
  const std::vector<std::int32_t> y = {-5, 0, 9};
  {
    h5::File file = h5::File::create(path);
    h5::Group g = file.root().create_group("train");
    g.write_dataset<float>("x", x, {rows, cols});
    g.write_dataset<std::uint8_t>("u", u, {rows, cols}, {.chunk = {10, cols}, .deflate = 9});
    g.write_dataset<std::int32_t>("y", y, {3});
    g.write_dataset<float>("empty", std::span<const float>(), {0, cols});
  }
  const h5::File file = h5::File::open(path);
  const h5::Group root = file.root();
  BOOST_TEST(root.has("train/x"));
  BOOST_TEST(!root.has("test/x"));
  BOOST_TEST(root.has_dataset("train/x"));
  BOOST_TEST(!root.has_group("train/x"));
  BOOST_TEST(root.open_group("train").children() == (std::vector<std::string>{"empty", "u", "x", "y"}),
             boost::test_tools::per_element());
  const h5::Dataset dx = root.open_dataset("train/x");
  BOOST_TEST((dx.layout().type == h5::Type::float32));
  BOOST_TEST(dx.layout().dims == (h5::Dims{rows, cols}), boost::test_tools::per_element());
  BOOST_TEST(dx.name() == "/train/x");
  std::vector<float> back(x.size());
  dx.read<float>(back);
  BOOST_TEST(std::memcmp(back.data(), x.data(), x.size() * sizeof(float)) == 0);

  std::vector<std::uint8_t> uback(u.size());
  root.open_dataset("train/u").read<std::uint8_t>(uback);
  BOOST_TEST(uback == u, boost::test_tools::per_element());
  std::vector<std::int32_t> yback(3);
  root.open_dataset("train/y").read<std::int32_t>(yback);
  BOOST_TEST(yback == y, boost::test_tools::per_element());

  const std::vector<std::uint64_t> pick = {0, 1, 2, 17, 500, 501, 999};
  std::vector<float> some(pick.size() * cols);
  dx.read_rows<float>(pick, some);
  for (std::size_t i = 0; i < pick.size(); ++i)
    BOOST_TEST(std::memcmp(&some[i * cols], &x[pick[i] * cols], cols * sizeof(float)) == 0, "row " << pick[i]);
  std::vector<float> range(3 * cols);
  dx.read_range<float>(997, 3, range);
  BOOST_TEST(std::memcmp(range.data(), &x[997 * cols], range.size() * sizeof(float)) == 0);

  const std::vector<std::uint64_t> unsorted = {5, 3};
  BOOST_CHECK_THROW(dx.read_rows<float>(unsorted, std::span<float>(some.data(), 2 * cols)), gibbs::ArgumentError);
  BOOST_CHECK_THROW(dx.read_range<float>(998, 3, range), gibbs::ArgumentError);
  BOOST_CHECK_EXCEPTION(root.open_dataset("train/nope"), gibbs::FormatError, [&](const gibbs::FormatError& e) {
    return mentions(e, path.string()) && mentions(e, "no dataset 'train/nope'");
  });
}

BOOST_AUTO_TEST_CASE(opening_what_is_not_hdf5) {
  TempDir dir;
  const fs::path text = dir.path / "text.h5";
  std::ofstream(text) << "this is not an HDF5 file\n";
  BOOST_CHECK_EXCEPTION(h5::File::open(text), gibbs::FormatError, [&](const gibbs::FormatError& e) {
    return std::string(e.what()) == text.string() + ": not an HDF5 file";
  });
  BOOST_CHECK_EXCEPTION(h5::File::open(dir.path / "missing.h5"), gibbs::IoError,
                        [](const gibbs::IoError& e) { return mentions(e, "missing.h5: no such file"); });
  BOOST_CHECK_EXCEPTION(
      h5::File::create(dir.path / "no" / "such" / "folder.h5"), h5::Hdf5Error,
      [](const h5::Hdf5Error& e) { return mentions(e, "folder.h5: cannot create the file") && !e.stack().empty(); });
}

BOOST_AUTO_TEST_CASE(atomic_file_appears_only_on_commit) {
  TempDir dir;
  const fs::path target = dir.path / "out.h5";
  std::ofstream(target) << "previous";
  {
    gibbs::io::AtomicFile atomic(target);
    BOOST_TEST(atomic.temporary().parent_path() == target.parent_path());
    h5::File::create(atomic.temporary()).close();
    BOOST_TEST(fs::exists(atomic.temporary()));
    // no commit: the temporary goes, the target stays as it was
  }
  BOOST_TEST(fs::file_size(target) == 8u);
  BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
  {
    gibbs::io::AtomicFile atomic(target);
    h5::File::create(atomic.temporary()).close();
    atomic.commit();
  }
  BOOST_TEST(h5::File::open(target).root().attribute_names().empty());
  BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
  BOOST_CHECK_THROW(gibbs::io::AtomicFile(dir.path / "missing" / "x.h5"), gibbs::IoError);
}
