// Writes the corpus of files that lie (see bad_corpus.h): HDF5 files built with gibbs.io's h5
// layer, so each is wrong in exactly one way, and IDX files built byte by byte.
#include "tests/io/bad_corpus.h"

#include <hdf5.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <span>
#include <string>
#include <vector>
import gibbs.core;
import gibbs.io;

namespace h5 = gibbs::io::h5;
namespace fs = std::filesystem;

namespace gibbs::test {
namespace {

// The root attributes of a dataset file; the caller adds (or leaves out) the splits.
h5::File dataset_shell(const fs::path& path, const std::string& format = "gibbs-dataset", std::int64_t version = 1) {
  h5::File file = h5::File::create(path);
  h5::Group root = file.root();
  root.set_attribute("format", format);
  root.set_attribute("format_version", version);
  root.set_attribute("source", "bad corpus");
  const std::vector<std::int64_t> shape = {2, 2};
  root.set_attribute("sample_shape", std::span<const std::int64_t>(shape));
  const std::vector<std::string> classes = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  root.set_attribute("classes", std::span<const std::string>(classes));
  return file;
}

void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// An IDX file: magic 0x000008<ndims>, big-endian dims, then `values` bytes (0, 1, 2, ...).
std::vector<std::uint8_t> idx(std::vector<std::uint32_t> dims, std::size_t values, std::uint32_t magic = 0) {
  std::vector<std::uint8_t> out;
  put32(out, magic ? magic : 0x00000800u + static_cast<std::uint32_t>(dims.size()));
  for (std::uint32_t d : dims) put32(out, d);
  for (std::size_t i = 0; i < values; ++i) out.push_back(static_cast<std::uint8_t>(i % 10));
  return out;
}

void write_gz(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  gzFile gz = gzopen(path.c_str(), "wb");
  gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(gz);
}

}  // namespace

std::vector<BadFile> write_bad_corpus(const fs::path& dir) {
  fs::create_directories(dir);
  {
    h5::File file = dataset_shell(dir / "good.h5");
    h5::Group train = file.root().create_group("train");
    std::vector<std::uint8_t> x(20);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::uint8_t>(i * 13);
    train.write_dataset<std::uint8_t>("x", x, {5, 4}).set_attribute("scale", 1.0 / 255);
    const std::vector<std::int32_t> y = {0, 1, 2, 3, 9};
    train.write_dataset<std::int32_t>("y", y, {5});
    h5::Group test = file.root().create_group("test");
    const std::vector<float> tx(12, 0.5f);
    test.write_dataset<float>("x", tx, {3, 4});
  }
  write_bytes(dir / "good-images.idx", idx({5, 2, 2}, 20));
  write_bytes(dir / "good-labels.idx", idx({5}, 5));

  std::vector<BadFile> bad;
  std::ofstream(dir / "text.h5") << "name,value\nthis,is not HDF5\n";
  bad.push_back({"dataset", "text.h5", "not an HDF5 file", ""});

  dataset_shell(dir / "no-train-x.h5").root().create_group("train");
  bad.push_back({"dataset", "no-train-x.h5", "no dataset /train/x", ""});

  {
    h5::File file = dataset_shell(dir / "wrong-dtype.h5");
    const std::vector<std::int32_t> x(20, 1);
    file.root().create_group("train").write_dataset<std::int32_t>("x", x, {5, 4});
  }
  bad.push_back({"dataset", "wrong-dtype.h5", "/train/x is int32, expected uint8 or float32", ""});

  {
    h5::File file = dataset_shell(dir / "nan.h5");
    std::vector<float> x(20, 0.25f);
    x[9] = std::numeric_limits<float>::quiet_NaN();  // row 2
    file.root().create_group("train").write_dataset<float>("x", x, {5, 4});
  }
  bad.push_back({"dataset", "nan.h5", "/train/x row 2 holds a non-finite value (nan)", ""});

  {
    h5::File file = dataset_shell(dir / "wrong-shape.h5");
    const std::vector<float> x(20, 0.25f);
    file.root().create_group("train").write_dataset<float>("x", x, {5, 2, 2});
  }
  bad.push_back({"dataset", "wrong-shape.h5", "/train/x has 3 dimensions, expected 2", ""});

  {
    h5::File file = dataset_shell(dir / "bad-label.h5");
    h5::Group train = file.root().create_group("train");
    const std::vector<float> x(20, 0.25f);
    train.write_dataset<float>("x", x, {5, 4});
    const std::vector<std::int32_t> y = {0, 1, 12, 3, 4};
    train.write_dataset<std::int32_t>("y", y, {5});
  }
  bad.push_back({"dataset", "bad-label.h5", "/train/y row 2 holds label 12, outside [0, 10)", ""});
  // Regression targets /train/t: float32, one per row, finite.
  auto with_targets = [&](const std::string& name, auto t, std::vector<std::uint64_t> dims) {
    h5::File file = dataset_shell(dir / name);
    const std::vector<float> x(20, 0.5f);
    h5::Group train = file.root().create_group("train");
    train.write_dataset<float>("x", x, {5, 4});
    train.write_dataset<typename decltype(t)::value_type>("t", t, dims);
  };
  with_targets("int-targets.h5", std::vector<std::int32_t>(5, 1), {5});
  bad.push_back({"dataset", "int-targets.h5", "/train/t is int32, expected float32", ""});
  with_targets("short-targets.h5", std::vector<float>(4, 1.0f), {4});
  bad.push_back({"dataset", "short-targets.h5", "/train/t has shape [4], expected [5]", ""});
  with_targets("nan-target.h5", std::vector<float>{0, 1, 2, std::numeric_limits<float>::infinity(), 4}, {5});
  bad.push_back({"dataset", "nan-target.h5", "/train/t row 3 holds a non-finite value (inf)", ""});

  dataset_shell(dir / "future.h5", "gibbs-dataset", 2);
  bad.push_back({"dataset", "future.h5", "format_version 2 is newer than this gibbs reads (1)", ""});

  {
    const std::string whole = [&] {
      std::ifstream in(dir / "good.h5", std::ios::binary);
      return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }();
    std::ofstream(dir / "truncated.h5", std::ios::binary)
        .write(whole.data(), static_cast<std::streamsize>(whole.size() / 2));
  }
  bad.push_back({"dataset", "truncated.h5", "truncated file", ""});

  // Sizes declared and never stored (issue 14): 2³¹ rows whose chunks were never written.
  dataset_shell(dir / "declared-rows.h5")
      .root()
      .create_group("train")
      .create_dataset("x", h5::Type::float32, {std::uint64_t{1} << 31, 4});
  bad.push_back({"dataset", "declared-rows.h5", "/train/x declares 32 GiB of values, and the file stores 0 bytes", ""});
  {
    h5::File file = dataset_shell(dir / "tiny-scale.h5");
    const std::vector<std::uint8_t> x(20, 1);
    h5::Group train = file.root().create_group("train");
    train.write_dataset<std::uint8_t>("x", x, {5, 4});
    train.open_dataset("x").set_attribute("scale", 1e-320);  // 0 as a float
  }
  bad.push_back({"dataset", "tiny-scale.h5", "/train/x has scale 1e-320, which is no positive float", ""});
  {
    h5::File file = dataset_shell(dir / "wrapping-shape.h5");
    const std::vector<std::int64_t> shape = {4, (std::int64_t{1} << 62) + 196};  // 4 × that wraps to 784
    file.root().set_attribute("sample_shape", std::span<const std::int64_t>(shape));
    const std::vector<float> x(5 * 784, 0.5f);
    file.root().create_group("train").write_dataset<float>("x", x, {5, 784});
  }
  bad.push_back({"dataset", "wrapping-shape.h5",
                 "sample_shape [4, 4611686018427388100] holds more values than a machine can count", ""});
  {  // /train/x stored in an external file, /dev/zero: gibbs reads values from the file only.
    dataset_shell(dir / "external.h5").root().create_group("train");
    const hid_t file = H5Fopen((dir / "external.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hsize_t dims[2] = {5, 4};
    const hid_t space = H5Screate_simple(2, dims, nullptr), plist = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_external(plist, "/dev/zero", 0, 5 * 4 * sizeof(float));
    H5Dclose(H5Dcreate2(file, "/train/x", H5T_IEEE_F32LE, space, H5P_DEFAULT, plist, H5P_DEFAULT));
    H5Pclose(plist), H5Sclose(space), H5Fclose(file);
  }
  bad.push_back(
      {"dataset", "external.h5", "/train/x keeps its values in external files, which gibbs does not read", ""});

  {
    h5::File file = dataset_shell(dir / "nan-checkpoint.h5", "gibbs-checkpoint", 1);
    h5::Group root = file.root();
    for (const char* name : {"model", "plugin_version", "engine_version", "created"}) root.set_attribute(name, "x");
    root.set_attribute("seed", std::uint64_t{1});
    for (const char* name : {"config", "state", "history"}) root.create_group(name);
    std::vector<float> w(6, 0.5f);
    w[4] = std::numeric_limits<float>::infinity();
    root.create_group("params").write_dataset<float>("W", w, {2, 3});
  }
  bad.push_back({"checkpoint", "nan-checkpoint.h5", "/params/W holds a non-finite value (inf) at index 4", ""});
  {
    h5::File file = dataset_shell(dir / "declared-checkpoint.h5", "gibbs-checkpoint", 1);
    h5::Group root = file.root();
    for (const char* name : {"model", "plugin_version", "engine_version", "created"}) root.set_attribute(name, "x");
    root.set_attribute("seed", std::uint64_t{1});
    for (const char* name : {"config", "state", "history"}) root.create_group(name);
    root.create_group("params").create_dataset("W", h5::Type::float32,
                                               {std::uint64_t{1} << 20, std::uint64_t{1} << 20});
  }
  bad.push_back({"checkpoint", "declared-checkpoint.h5",
                 "/params/W declares 4.1e+03 GiB of values, and the file "
                 "stores 0 bytes of them",
                 ""});

  dataset_shell(dir / "future-checkpoint.h5", "gibbs-checkpoint", 99);
  bad.push_back({"checkpoint", "future-checkpoint.h5", "format_version 99 is newer than this gibbs reads (1)", ""});

  write_bytes(dir / "truncated-images.idx", idx({5, 2, 2}, 13));
  bad.push_back({"idx", "truncated-images.idx", "truncated: expected 36 bytes, found 29", "good-labels.idx"});

  write_bytes(dir / "wrong-magic.idx", idx({5, 2, 2}, 20, 0x00000804));
  bad.push_back({"idx", "wrong-magic.idx", "magic number 0x00000804, expected 0x00000803", "good-labels.idx"});

  write_bytes(dir / "four-labels.idx", idx({4}, 4));
  bad.push_back({"idx", "good-images.idx", "holds 4 labels, but", "four-labels.idx"});

  write_gz(dir / "full.idx.gz", idx({5, 2, 2}, 20));
  {
    std::ifstream in(dir / "full.idx.gz", std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes.resize(bytes.size() - 12);  // loses the end of the stream and the gzip trailer
    std::ofstream(dir / "truncated.idx.gz", std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    fs::remove(dir / "full.idx.gz");
  }
  bad.push_back({"idx", "truncated.idx.gz", "truncated gzip stream", "good-labels.idx"});

  write_gz(dir / "trailing.idx.gz", idx({5, 2, 2}, 20));
  std::ofstream(dir / "trailing.idx.gz", std::ios::binary | std::ios::app) << "garbage!";
  bad.push_back({"idx", "trailing.idx.gz", "8 bytes after the end of the gzip stream", "good-labels.idx"});

  std::vector<std::uint8_t> bomb = idx({5, 2, 2}, 20);
  bomb.resize(std::size_t{1} << 22);  // 4 MiB of zeros behind a header that promises 36 bytes
  write_gz(dir / "bomb.idx.gz", bomb);
  bad.push_back(
      {"idx", "bomb.idx.gz", "decompresses to more than the 36 bytes its IDX header promises", "good-labels.idx"});
  return bad;
}

}  // namespace gibbs::test
