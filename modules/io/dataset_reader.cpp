// gibbs.io:dataset — DatasetReader: structure checks on open, row reads by hyperslab selection
// (sorted and merged into runs, then put back in the caller's order), value checks per read.
module;
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>
module gibbs.io;
import gibbs.core;

namespace gibbs::io {
namespace {

// The distinct rows in increasing order, and for each requested row its place among them.
struct Plan {
  std::vector<std::uint64_t> sorted;
  std::vector<std::size_t> slot;
};

Plan plan(std::span<const std::size_t> rows) {
  Plan p;
  p.sorted.assign(rows.begin(), rows.end());
  std::ranges::sort(p.sorted);
  p.sorted.erase(std::unique(p.sorted.begin(), p.sorted.end()), p.sorted.end());
  p.slot.reserve(rows.size());
  for (std::size_t r : rows)
    p.slot.push_back(static_cast<std::size_t>(std::ranges::lower_bound(p.sorted, r) - p.sorted.begin()));
  return p;
}

// Each requested row's stored values, handed to `take(position, stored row)`: the distinct rows are
// read in increasing order, a piece of at most 4 MiB at a time, so the stored bytes of a whole
// split are never held at once (MNIST's 47 MB of them cost more to fault in than to decompress).
template <typename T, typename Take>
void for_each_row(const h5::Dataset& dataset, const Plan& p, std::size_t cols, Take take) {
  constexpr std::size_t kPieceBytes = std::size_t{4} << 20;
  const std::size_t piece = std::max<std::size_t>(1, kPieceBytes / (cols * sizeof(T)));
  std::vector<std::size_t> by_slot(p.slot.size());  // the positions in the order of their rows
  std::iota(by_slot.begin(), by_slot.end(), std::size_t{0});
  if (!std::ranges::is_sorted(p.slot))
    std::ranges::sort(by_slot, {}, [&p](std::size_t i) { return std::pair(p.slot[i], i); });
  std::vector<T> stored;
  std::size_t next = 0;
  for (std::size_t first = 0; first < p.sorted.size(); first += piece) {
    const std::size_t count = std::min(piece, p.sorted.size() - first);
    stored.resize(count * cols);
    dataset.read_rows<T>(std::span(p.sorted).subspan(first, count), stored);
    for (; next < by_slot.size() && p.slot[by_slot[next]] < first + count; ++next)
      take(by_slot[next], stored.data() + (p.slot[by_slot[next]] - first) * cols);
  }
}

}  // namespace

DatasetReader::DatasetReader(const std::filesystem::path& path) : path_(path) {
  h5::preflight(path, [&path] { return DatasetReader(path).read_every_way(); });
  file_ = std::make_unique<h5::File>(h5::File::open(path));
  const std::string file = path.string();
  const h5::Group root = file_->root();
  if (!root.has_attribute("format")) throw FormatError(file, "not a gibbs dataset (no 'format' attribute)");
  const std::string format = root.string_attribute("format");
  if (format != kDatasetFormat) throw FormatError(file, fmt::format("not a gibbs dataset (format '{}')", format));
  version_ = root.int_attribute("format_version");
  if (version_ > kDatasetFormatVersion)
    throw FormatError(
        file, fmt::format("format_version {} is newer than this gibbs reads ({})", version_, kDatasetFormatVersion));
  if (version_ < 1) throw FormatError(file, fmt::format("format_version {} is not valid", version_));
  if (root.has_attribute("source")) info_.source = root.string_attribute("source");
  if (root.has_attribute("classes")) info_.classes = root.strings_attribute("classes");
  for (std::int64_t d : root.ints_attribute("sample_shape")) {
    if (d <= 0) throw FormatError(file, fmt::format("sample_shape has a dimension of {}", d));
    info_.sample_shape.push_back(static_cast<std::size_t>(d));
  }
  if (!root.has_dataset("train/x")) throw FormatError(file, "no dataset /train/x");
  splits_.push_back(read_split_info(root, "train"));
  for (const std::string& name : root.children())
    if (name != "train" && root.has_dataset(name + "/x")) splits_.push_back(read_split_info(root, name));
}

SplitInfo DatasetReader::read_split_info(const h5::Group& root, const std::string& name) const {
  const std::string file = path_.string();
  const h5::Dataset x = root.open_dataset(name + "/x");
  const h5::Layout l = x.layout();
  SplitInfo s{.name = name};
  for (const char* part : {"x", "y", "t"})
    if (root.has_dataset(name + "/" + part))
      if (const std::string problem = root.open_dataset(name + "/" + part).storage_problem(); !problem.empty())
        throw FormatError(file, fmt::format("/{}/{} {}", name, part, problem));
  if (l.dims.size() != 2)
    throw FormatError(file, fmt::format("/{}/x has {} dimensions, expected 2", name, l.dims.size()));
  s.rows = static_cast<std::size_t>(l.dims[0]);
  s.cols = static_cast<std::size_t>(l.dims[1]);
  if (l.type == h5::Type::uint8) {
    s.encoding = Encoding::uint8;
    const double scale = x.double_attribute("scale");
    if (!std::isfinite(scale) || !(static_cast<float>(scale) > 0) || !std::isfinite(static_cast<float>(scale)))
      throw FormatError(file, fmt::format("/{}/x has scale {}, which is no positive float", name, scale));
    s.scale = static_cast<float>(scale);
  } else if (l.type != h5::Type::float32) {
    throw FormatError(file, fmt::format("/{}/x is {}, expected uint8 or float32", name, h5::to_string(l.type)));
  }
  std::size_t sample = 1;
  for (const std::size_t d : info_.sample_shape)
    if (__builtin_mul_overflow(sample, d, &sample))
      throw FormatError(file, fmt::format("sample_shape [{}] holds more values than a machine can count",
                                          fmt::join(info_.sample_shape, ", ")));
  if (s.cols != sample)
    throw FormatError(file,
                      fmt::format("/{}/x has rows of {} values, but sample_shape holds {}", name, s.cols, sample));
  if (root.has(name + "/y")) {
    const h5::Layout ly = root.open_dataset(name + "/y").layout();
    if (ly.type != h5::Type::int32)
      throw FormatError(file, fmt::format("/{}/y is {}, expected int32", name, h5::to_string(ly.type)));
    if (ly.dims.size() != 1 || ly.dims[0] != s.rows)
      throw FormatError(file,
                        fmt::format("/{}/y has shape [{}], expected [{}]", name, fmt::join(ly.dims, ", "), s.rows));
    s.labelled = true;
  }
  if (root.has(name + "/t")) {
    const h5::Layout lt = root.open_dataset(name + "/t").layout();
    if (lt.type != h5::Type::float32)
      throw FormatError(file, fmt::format("/{}/t is {}, expected float32", name, h5::to_string(lt.type)));
    if (lt.dims.size() != 1 || lt.dims[0] != s.rows)
      throw FormatError(file,
                        fmt::format("/{}/t has shape [{}], expected [{}]", name, fmt::join(lt.dims, ", "), s.rows));
    s.has_targets = true;
  }
  return s;
}

bool DatasetReader::has_split(const std::string& name) const {
  return std::ranges::find(splits_, name, &SplitInfo::name) != splits_.end();
}

const SplitInfo& DatasetReader::split(const std::string& name) const { return checked_split(name); }

const SplitInfo& DatasetReader::checked_split(const std::string& name) const {
  const auto it = std::ranges::find(splits_, name, &SplitInfo::name);
  if (it == splits_.end()) throw ArgumentError(fmt::format("{}: no split '{}'", path_.string(), name));
  return *it;
}

void DatasetReader::check_values(const SplitInfo& split, std::span<const float> x, std::span<const std::int32_t> y,
                                 std::span<const float> t, std::span<const std::size_t> rows) const {
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]))
      throw FormatError(path_.string(), fmt::format("/{}/x row {} holds a non-finite value ({})", split.name,
                                                    rows[i / split.cols], x[i]));
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] < 0 || (!info_.classes.empty() && static_cast<std::size_t>(y[i]) >= info_.classes.size()))
      throw FormatError(path_.string(), fmt::format("/{}/y row {} holds label {}, outside [0, {})", split.name, rows[i],
                                                    y[i], info_.classes.size()));
  for (std::size_t i = 0; i < t.size(); ++i)
    if (!std::isfinite(t[i]))
      throw FormatError(path_.string(),
                        fmt::format("/{}/t row {} holds a non-finite value ({})", split.name, rows[i], t[i]));
}

Batch DatasetReader::read(const std::string& name, std::span<const std::size_t> rows) const {
  const SplitInfo& s = checked_split(name);
  for (std::size_t r : rows)
    if (r >= s.rows)
      throw ArgumentError(
          fmt::format("{}: row {} of split '{}' is out of range [0, {})", path_.string(), r, name, s.rows));
  const Plan p = plan(rows);
  const h5::Group root = file_->root();
  const h5::Dataset dx = root.open_dataset(name + "/x");
  Batch batch{Matrix<float>(rows.size(), s.cols), {}, {}};
  if (s.encoding == Encoding::uint8) {
    for_each_row<std::uint8_t>(dx, p, s.cols, [&](std::size_t i, const std::uint8_t* from) {
      std::ranges::transform(from, from + s.cols, batch.x.row(i).begin(), [&](std::uint8_t v) { return v * s.scale; });
    });
  } else {
    for_each_row<float>(dx, p, s.cols,
                        [&](std::size_t i, const float* from) { std::copy_n(from, s.cols, batch.x.row(i).begin()); });
  }
  if (s.labelled) {
    std::vector<std::int32_t> raw(p.sorted.size());
    root.open_dataset(name + "/y").read_rows<std::int32_t>(p.sorted, raw);
    for (std::size_t i = 0; i < rows.size(); ++i) batch.y.push_back(raw[p.slot[i]]);
  }
  if (s.has_targets) {
    std::vector<float> raw(p.sorted.size());
    root.open_dataset(name + "/t").read_rows<float>(p.sorted, raw);
    for (std::size_t i = 0; i < rows.size(); ++i) batch.t.push_back(raw[p.slot[i]]);
  }
  // Stored bytes times a scale whose 255-fold is finite are all finite; another scale's are scanned.
  const bool finite_by_scale = s.encoding == Encoding::uint8 && std::isfinite(255.0f * s.scale);
  check_values(s, finite_by_scale ? std::span<const float>{} : batch.x.values(), batch.y, batch.t, rows);
  return batch;
}

std::vector<std::string> DatasetReader::read_every_way() const {
  constexpr std::size_t kRows = 1024;
  std::vector<std::string> read_whole;
  for (const SplitInfo& split : splits_) {
    for (std::size_t first = 0; first < split.rows; first += kRows)
      read_range(split.name, first, std::min(kRows, split.rows - first));
    if (split.rows > 0) {
      const std::vector<std::size_t> rows = {split.rows - 1, 0, split.rows / 2, split.rows - 1};
      read(split.name, rows);
      if (split.encoding == Encoding::uint8) read_uint8(split.name, rows);
    }
    labels(split.name);
    targets(split.name);
    read_whole.push_back(split.name + "/x");
    if (split.labelled) read_whole.push_back(split.name + "/y");
    if (split.has_targets) read_whole.push_back(split.name + "/t");
  }
  return read_whole;
}

Batch DatasetReader::read_range(const std::string& name, std::size_t first, std::size_t count) const {
  std::vector<std::size_t> rows(count);
  std::iota(rows.begin(), rows.end(), first);
  return read(name, rows);
}

Matrix<std::uint8_t> DatasetReader::read_uint8(const std::string& name, std::span<const std::size_t> rows) const {
  const SplitInfo& s = checked_split(name);
  if (s.encoding != Encoding::uint8)
    throw ArgumentError(fmt::format("{}: split '{}' is float32, not uint8", path_.string(), name));
  for (std::size_t r : rows)
    if (r >= s.rows)
      throw ArgumentError(
          fmt::format("{}: row {} of split '{}' is out of range [0, {})", path_.string(), r, name, s.rows));
  Matrix<std::uint8_t> out(rows.size(), s.cols);
  for_each_row<std::uint8_t>(
      file_->root().open_dataset(name + "/x"), plan(rows), s.cols,
      [&](std::size_t i, const std::uint8_t* from) { std::copy_n(from, s.cols, out.row(i).begin()); });
  return out;
}

std::vector<std::int32_t> DatasetReader::labels(const std::string& name) const {
  const SplitInfo& s = checked_split(name);
  if (!s.labelled) return {};
  std::vector<std::int32_t> y(s.rows);
  file_->root().open_dataset(name + "/y").read<std::int32_t>(y);
  std::vector<std::size_t> rows(s.rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  check_values(s, {}, y, {}, rows);
  return y;
}

std::vector<float> DatasetReader::targets(const std::string& name) const {
  const SplitInfo& s = checked_split(name);
  if (!s.has_targets) return {};
  std::vector<float> t(s.rows);
  file_->root().open_dataset(name + "/t").read<float>(t);
  std::vector<std::size_t> rows(s.rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  check_values(s, {}, {}, t, rows);
  return t;
}

}  // namespace gibbs::io
