// gibbs.io:idx — IDX decoding (gzip through zlib), checks, and the import into a dataset file.
module;
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>
module gibbs.io;
import gibbs.core;

namespace gibbs::io {
namespace {

std::vector<std::uint8_t> slurp(const std::filesystem::path& path) {
  const std::string bytes = read_text_file(path);  // the checks of any input file
  return {bytes.begin(), bytes.end()};
}

std::uint32_t big_endian(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

// The size an IDX file's header promises (header and values), once `bytes` holds the header;
// 0 before.
std::uint64_t promised_size(const std::vector<std::uint8_t>& bytes) {
  if (bytes.size() < 4) return 0;
  const std::size_t header = 4 + 4 * std::size_t{bytes[3]};
  if (bytes.size() < header) return 0;
  std::uint64_t size = 1;
  for (std::size_t i = 4; i < header; i += 4)
    if (__builtin_mul_overflow(size, big_endian(bytes.data() + i), &size)) return UINT64_MAX;
  return size > UINT64_MAX - header ? UINT64_MAX : size + header;
}

std::vector<std::uint8_t> gunzip(const std::filesystem::path& path, const std::vector<std::uint8_t>& gz) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) throw IoError(path.string(), "zlib cannot start");
  std::vector<std::uint8_t> out;
  if (gz.size() >= 18) {  // the trailer's ISIZE is the size modulo 2^32: a hint only
    // and a hint the file makes: never more than deflate's best ratio (1032:1) could inflate to
    // (a 30-byte file claiming 2 GiB reserved them).
    const std::uint8_t* t = gz.data() + gz.size() - 4;
    const std::size_t claimed = t[0] | t[1] << 8 | t[2] << 16 | std::size_t{t[3]} << 24;
    out.reserve(std::min({claimed, gz.size() * 1032, std::size_t{1} << 31}));
  }
  z.next_in = const_cast<Bytef*>(gz.data());
  z.avail_in = static_cast<uInt>(gz.size());
  int status = Z_OK;
  std::uint8_t buffer[1 << 16];
  // Decompression stops at what the IDX header promises and at the memory budget (a gzip bomb).
  const std::size_t budget = memory_available();
  while (status == Z_OK) {
    z.next_out = buffer;
    z.avail_out = sizeof buffer;
    status = inflate(&z, Z_NO_FLUSH);
    out.insert(out.end(), buffer, buffer + (sizeof buffer - z.avail_out));
    if (const std::uint64_t promised = promised_size(out); promised != 0 && out.size() > promised) {
      inflateEnd(&z);
      throw FormatError(path.string(),
                        fmt::format("decompresses to more than the {} bytes its IDX header promises", promised));
    }
    if (out.size() > budget) {
      inflateEnd(&z);
      throw FormatError(path.string(), fmt::format("decompresses to more than the {:.3g} GiB gibbs may use "
                                                   "(--memory-limit)",
                                                   static_cast<double>(budget) / (1 << 30)));
    }
    if (status == Z_BUF_ERROR && z.avail_in == 0) break;  // input ended inside the stream
    // Several gzip members make one stream (RFC 1952); anything else after the end is refused.
    if (status == Z_STREAM_END && z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
      inflateReset(&z);
      status = Z_OK;
    }
  }
  const std::string message = z.msg ? z.msg : "";
  const std::size_t trailing = z.avail_in;
  inflateEnd(&z);
  if (status == Z_STREAM_END && trailing != 0)
    throw FormatError(path.string(), fmt::format("{} bytes after the end of the gzip stream", trailing));
  if (status == Z_STREAM_END) return out;
  if (status == Z_BUF_ERROR || (status == Z_OK && z.avail_in == 0))
    throw FormatError(path.string(),
                      fmt::format("truncated gzip stream ({} bytes decompressed before it ends)", out.size()));
  throw FormatError(path.string(), fmt::format("corrupt gzip stream ({})", message.empty() ? "zlib error" : message));
}

// The dimensions of an IDX file of unsigned bytes with the given magic; `bytes` holds exactly
// the header and the values when this returns.
std::vector<std::uint64_t> parse(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes,
                                 std::uint32_t magic, const char* kind, bool gzipped) {
  const std::string file = path.string();
  const char* unit = gzipped ? " (decompressed)" : "";
  if (bytes.size() < 4)
    throw FormatError(file, fmt::format("truncated: expected at least 4 bytes, found {}{}", bytes.size(), unit));
  const std::uint32_t found = big_endian(bytes.data());
  if (found != magic)
    throw FormatError(file, fmt::format("magic number {:#010x}, expected {:#010x} (IDX {})", found, magic, kind));
  const std::size_t rank = magic & 0xff;
  const std::size_t header = 4 + 4 * rank;
  if (bytes.size() < header)
    throw FormatError(file,
                      fmt::format("truncated: expected at least {} bytes, found {}{}", header, bytes.size(), unit));
  std::vector<std::uint64_t> dims;
  std::uint64_t expected = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    dims.push_back(big_endian(bytes.data() + 4 + 4 * i));
    expected *= dims.back();  // at most three factors below 2^32 each: checked just below
    if (expected > (std::uint64_t{1} << 40)) throw FormatError(file, "dimensions too large for an IDX file");
  }
  expected += header;
  if (bytes.size() < expected)
    throw FormatError(file, fmt::format("truncated: expected {} bytes, found {}{}", expected, bytes.size(), unit));
  if (bytes.size() > expected)
    throw FormatError(file, fmt::format("{} bytes too long: expected {} bytes, found {}{}", bytes.size() - expected,
                                        expected, bytes.size(), unit));
  return dims;
}

std::vector<std::uint8_t> load(const std::filesystem::path& path, bool& gzipped) {
  std::vector<std::uint8_t> bytes = slurp(path);
  gzipped = bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
  return gzipped ? gunzip(path, bytes) : bytes;
}

}  // namespace

IdxImages read_idx_images(const std::filesystem::path& path) {
  bool gzipped = false;
  const std::vector<std::uint8_t> bytes = load(path, gzipped);
  const std::vector<std::uint64_t> dims = parse(path, bytes, kIdxImagesMagic, "ubyte images", gzipped);
  if (dims[1] == 0 || dims[2] == 0)
    throw FormatError(path.string(), fmt::format("images of {}x{} pixels", dims[1], dims[2]));
  IdxImages images{dims[1], dims[2], Matrix<std::uint8_t>(dims[0], dims[1] * dims[2])};
  std::copy(bytes.begin() + 16, bytes.end(), images.pixels.data());
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& path) {
  bool gzipped = false;
  const std::vector<std::uint8_t> bytes = load(path, gzipped);
  parse(path, bytes, kIdxLabelsMagic, "ubyte labels", gzipped);
  return std::vector<std::uint8_t>(bytes.begin() + 8, bytes.end());
}

namespace {

struct Split {
  IdxImages images;
  std::vector<std::int32_t> labels;
};

Split read_pair(const std::filesystem::path& images_path, const std::filesystem::path& labels_path) {
  Split s{read_idx_images(images_path), {}};
  const std::vector<std::uint8_t> labels = read_idx_labels(labels_path);
  if (labels.size() != s.images.pixels.rows())
    throw FormatError(labels_path.string(), fmt::format("holds {} labels, but {} holds {} images", labels.size(),
                                                        images_path.string(), s.images.pixels.rows()));
  s.labels.assign(labels.begin(), labels.end());
  return s;
}

void check_labels(const std::filesystem::path& path, const std::vector<std::int32_t>& labels, std::size_t classes) {
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (static_cast<std::size_t>(labels[i]) >= classes)
      throw FormatError(path.string(),
                        fmt::format("label {} at index {} is outside the {} classes given", labels[i], i, classes));
}

}  // namespace

void import_idx(const IdxImport& import) {
  if (import.test_images.has_value() != import.test_labels.has_value())
    throw ArgumentError("IDX import: test images and test labels go together");
  const Split train = read_pair(import.images, import.labels);
  std::optional<Split> test;
  if (import.test_images) {
    test = read_pair(*import.test_images, *import.test_labels);
    if (test->images.height != train.images.height || test->images.width != train.images.width)
      throw FormatError(import.test_images->string(),
                        fmt::format("images of {}x{} pixels, but the training images are {}x{}", test->images.height,
                                    test->images.width, train.images.height, train.images.width));
  }
  DatasetInfo info{fmt::format("IDX {} + {}", import.images.filename().string(), import.labels.filename().string()),
                   {train.images.height, train.images.width},
                   import.classes};
  if (info.classes.empty()) {
    std::int32_t top = 0;
    for (std::int32_t y : train.labels) top = std::max(top, y);
    if (test)
      for (std::int32_t y : test->labels) top = std::max(top, y);
    for (std::int32_t k = 0; k <= top; ++k) info.classes.push_back(std::to_string(k));
  }
  check_labels(import.labels, train.labels, info.classes.size());
  if (test) check_labels(*import.test_labels, test->labels, info.classes.size());

  DatasetWriter writer(import.output, info);
  writer.add_split("train", train.images.pixels, 1.0f / 255, train.labels);
  if (test) writer.add_split("test", test->images.pixels, 1.0f / 255, test->labels);
  writer.commit();
}

}  // namespace gibbs::io
