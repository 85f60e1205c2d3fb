// gibbs.io:idx — the real Fashion-MNIST files (Debian dataset-fashion-mnist) against a minimal
// decoder written here on zlib's gz* API, their import into a dataset, and IDX files that lie.
#define BOOST_TEST_MODULE idx
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/io/bad_corpus.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
namespace io = gibbs::io;

namespace {

using namespace gibbs::test;

const fs::path kFashion = "/usr/share/datasets/fashion-mnist";

// The independent decoder: gzread everything, trust the header, no checks beyond sizes.
struct Decoded {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> values;
};

Decoded decode(const fs::path& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  BOOST_REQUIRE(gz != nullptr);
  std::vector<std::uint8_t> all;
  std::array<std::uint8_t, 1 << 16> buffer;
  int n = 0;
  while ((n = gzread(gz, buffer.data(), buffer.size())) > 0) all.insert(all.end(), buffer.begin(), buffer.begin() + n);
  gzclose(gz);
  Decoded d;
  const std::size_t rank = all.at(3);
  for (std::size_t i = 0; i < rank; ++i)
    d.dims.push_back(std::uint32_t{all.at(4 + 4 * i)} << 24 | std::uint32_t{all[5 + 4 * i]} << 16 |
                     std::uint32_t{all[6 + 4 * i]} << 8 | all[7 + 4 * i]);
  d.values.assign(all.begin() + static_cast<std::ptrdiff_t>(4 + 4 * rank), all.end());
  return d;
}

void require_fashion() {
  BOOST_TEST_REQUIRE(fs::exists(kFashion / "train-images-idx3-ubyte.gz"),
                     kFashion << " is missing: tools/bootstrap installs it (Debian package dataset-fashion-mnist)");
}

std::string bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

BOOST_AUTO_TEST_CASE(fashion_mnist_matches_an_independent_decode) {
  require_fashion();
  for (const std::string prefix : {"train", "t10k"}) {
    const Decoded images = decode(kFashion / (prefix + "-images-idx3-ubyte.gz"));
    const Decoded labels = decode(kFashion / (prefix + "-labels-idx1-ubyte.gz"));
    const io::IdxImages mine = io::read_idx_images(kFashion / (prefix + "-images-idx3-ubyte.gz"));
    const std::vector<std::uint8_t> my_labels = io::read_idx_labels(kFashion / (prefix + "-labels-idx1-ubyte.gz"));
    const std::size_t count = prefix == "train" ? 60000 : 10000;
    BOOST_TEST(images.dims == (std::vector<std::uint32_t>{static_cast<std::uint32_t>(count), 28, 28}),
               boost::test_tools::per_element());
    BOOST_TEST(mine.pixels.rows() == count);
    BOOST_TEST(mine.pixels.cols() == 784u);
    BOOST_TEST(mine.height == 28u);
    BOOST_TEST(std::memcmp(mine.pixels.data(), images.values.data(), images.values.size()) == 0);
    BOOST_TEST(my_labels == labels.values, boost::test_tools::per_element());
    std::array<std::size_t, 10> histogram{};  // Fashion-MNIST is balanced
    for (std::uint8_t y : my_labels) ++histogram.at(y);
    for (std::size_t k = 0; k < 10; ++k) BOOST_TEST(histogram[k] == count / 10);
  }
}

BOOST_AUTO_TEST_CASE(fashion_mnist_import_reads_back_the_same_rows) {
  require_fashion();
  TempDir dir;
  const fs::path out = dir.path / "fashion.h5";
  const std::vector<std::string> classes = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                            "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  io::import_idx({kFashion / "train-images-idx3-ubyte.gz", kFashion / "train-labels-idx1-ubyte.gz",
                  kFashion / "t10k-images-idx3-ubyte.gz", kFashion / "t10k-labels-idx1-ubyte.gz", classes, out});
  const io::DatasetReader reader(out);
  BOOST_TEST(reader.info().classes == classes, boost::test_tools::per_element());
  BOOST_TEST(reader.info().sample_shape == (std::vector<std::size_t>{28, 28}), boost::test_tools::per_element());
  for (const auto& [split, prefix] : {std::pair{"train", "train"}, std::pair{"test", "t10k"}}) {
    const Decoded images = decode(kFashion / (std::string(prefix) + "-images-idx3-ubyte.gz"));
    const Decoded labels = decode(kFashion / (std::string(prefix) + "-labels-idx1-ubyte.gz"));
    std::vector<std::size_t> rows;
    for (std::size_t r = images.dims[0] - 1; r < images.dims[0]; r = r >= 997 ? r - 997 : images.dims[0])
      rows.push_back(r);
    const gibbs::Matrix<std::uint8_t> x = reader.read_uint8(split, rows);
    const io::Batch batch = reader.read(split, rows);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      BOOST_TEST(std::memcmp(x.row(i).data(), images.values.data() + rows[i] * 784, 784) == 0,
                 split << " row " << rows[i]);
      BOOST_TEST(batch.y[i] == labels.values[rows[i]]);
      BOOST_TEST(batch.x(i, 400) == images.values[rows[i] * 784 + 400] * (1.0f / 255));
    }
    const std::vector<std::int32_t> all = reader.labels(split);
    BOOST_TEST(std::equal(all.begin(), all.end(), labels.values.begin(), labels.values.end()));
  }
}

BOOST_AUTO_TEST_CASE(idx_files_that_lie) {
  TempDir dir;
  const std::vector<gibbs::test::BadFile> corpus = gibbs::test::write_bad_corpus(dir.path);
  const fs::path out = dir.path / "out.h5";
  std::ofstream(out) << "keep me";
  std::size_t checked = 0;
  for (const gibbs::test::BadFile& bad : corpus) {
    if (bad.kind != "idx") continue;
    ++checked;
    try {
      io::import_idx({dir.path / bad.name, dir.path / bad.labels, {}, {}, {}, out});
      BOOST_ERROR(bad.name << ": no error");
    } catch (const gibbs::FormatError& e) {
      BOOST_TEST(std::string(e.what()).find((dir.path / bad.name).string()) != std::string::npos, e.what());
      BOOST_TEST(std::string(e.what()).find(bad.problem) != std::string::npos, e.what() << " lacks " << bad.problem);
    }
    BOOST_TEST(bytes(out) == "keep me");
  }
  BOOST_TEST(checked == 6u);
  for (const auto& entry : fs::directory_iterator(dir.path))  // no temporary files left behind
    BOOST_TEST(entry.path().string().find(".tmp-") == std::string::npos, entry.path());
  BOOST_CHECK_EXCEPTION(
      io::read_idx_labels(dir.path / "good-images.idx"), gibbs::FormatError, [](const gibbs::FormatError& e) {
        return std::string(e.what()).find("magic number 0x00000803, expected 0x00000801 (IDX ubyte labels)") !=
               std::string::npos;
      });
  BOOST_CHECK_THROW(io::read_idx_images(dir.path / "missing.idx"), gibbs::IoError);
  BOOST_CHECK_EXCEPTION(io::read_idx_images("/dev/zero"), gibbs::IoError, [](const gibbs::IoError& e) {
    return std::string(e.what()) == "/dev/zero: is a character device, not a regular file";
  });
  {  // Two gzip members are one stream (RFC 1952), as `cat a.gz b.gz` makes.
    const std::string whole = bytes(dir.path / "good-images.idx");
    for (const auto& [name, part] : {std::pair{"a.gz", whole.substr(0, 10)}, std::pair{"b.gz", whole.substr(10)}}) {
      gzFile gz = gzopen((dir.path / name).c_str(), "wb");
      gzwrite(gz, part.data(), static_cast<unsigned>(part.size()));
      gzclose(gz);
    }
    std::ofstream(dir.path / "two-members.idx.gz", std::ios::binary)
        << bytes(dir.path / "a.gz") << bytes(dir.path / "b.gz");
    const io::IdxImages two = io::read_idx_images(dir.path / "two-members.idx.gz"),
                        one = io::read_idx_images(dir.path / "good-images.idx");
    BOOST_TEST(std::ranges::equal(two.pixels.values(), one.pixels.values()));
  }
  io::import_idx({dir.path / "good-images.idx", dir.path / "good-labels.idx", {}, {}, {}, out});
  const io::DatasetReader reader(out);
  BOOST_TEST(reader.info().classes.size() == 5u);  // labels 0..4
  BOOST_TEST(reader.split("train").rows == 5u);
}
