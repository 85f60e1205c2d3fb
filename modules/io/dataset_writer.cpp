// gibbs.io:dataset — DatasetWriter: checked splits into a temporary file, renamed on commit.
module;
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <vector>
module gibbs.io;
import gibbs.core;

namespace gibbs::io {
namespace {

// A dense copy when the view has a row stride; h5 writes need contiguous rows.
template <class T>
std::span<const T> contiguous(ConstView<T> x, Matrix<T>& scratch) {
  if (x.stride() == x.cols() || x.rows() <= 1) return {x.data(), x.rows() * x.cols()};
  scratch = Matrix<T>(x);
  return scratch.values();
}

}  // namespace

DatasetWriter::DatasetWriter(std::filesystem::path path, DatasetInfo info)
    : path_(std::move(path)), info_(std::move(info)), atomic_(std::make_unique<AtomicFile>(path_)) {
  file_ = std::make_unique<h5::File>(h5::File::create(atomic_->temporary()));
  h5::Group root = file_->root();
  root.set_attribute("format", kDatasetFormat);
  root.set_attribute("format_version", kDatasetFormatVersion);
  root.set_attribute("source", info_.source);
  if (!info_.classes.empty()) root.set_attribute("classes", std::span<const std::string>(info_.classes));
}

void DatasetWriter::check_split(const std::string& name, Shape shape, std::span<const std::int32_t> y,
                                std::span<const float> t) const {
  if (name.empty() || name.find('/') != std::string::npos || name.starts_with("."))
    throw ArgumentError(fmt::format("dataset split name '{}' is not a plain name", name));
  if (std::ranges::find(splits_, name) != splits_.end())
    throw ArgumentError(fmt::format("dataset split '{}' was added twice", name));
  const std::size_t sample =
      info_.sample_shape.empty()
          ? shape.cols
          : std::accumulate(info_.sample_shape.begin(), info_.sample_shape.end(), std::size_t{1}, std::multiplies<>());
  if (shape.cols != sample)
    throw ShapeError(
        fmt::format("dataset split '{}': rows of {} values for sample_shape of {}", name, shape.cols, sample), shape,
        {shape.rows, sample});
  if (!y.empty() && y.size() != shape.rows)
    throw ArgumentError(fmt::format("dataset split '{}': {} labels for {} rows", name, y.size(), shape.rows));
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] < 0 || (!info_.classes.empty() && static_cast<std::size_t>(y[i]) >= info_.classes.size()))
      throw ArgumentError(
          fmt::format("dataset split '{}': label {} of row {} is outside [0, {})", name, y[i], i,
                      info_.classes.empty() ? std::string("inf") : std::to_string(info_.classes.size())));
  if (!t.empty() && t.size() != shape.rows)
    throw ArgumentError(fmt::format("dataset split '{}': {} targets for {} rows", name, t.size(), shape.rows));
  for (std::size_t i = 0; i < t.size(); ++i)
    if (!std::isfinite(t[i]))
      throw ArgumentError(fmt::format("dataset split '{}': target {} of row {} is not finite", name, t[i], i));
}

void DatasetWriter::write_labels(h5::Group& group, std::span<const std::int32_t> y, std::span<const float> t) {
  if (!y.empty()) group.write_dataset<std::int32_t>("y", y, {y.size()});
  if (!t.empty()) group.write_dataset<float>("t", t, {t.size()});
}

void DatasetWriter::add_split(const std::string& name, ConstView<std::uint8_t> x, float scale,
                              std::span<const std::int32_t> y, std::span<const float> t) {
  check_split(name, x.shape(), y, t);
  if (info_.sample_shape.empty()) info_.sample_shape = {x.cols()};  // one flat sample per row
  if (!std::isfinite(scale) || scale <= 0)
    throw ArgumentError(fmt::format("dataset split '{}': scale {} is not positive", name, scale));
  Matrix<std::uint8_t> scratch;
  h5::Group group = file_->root().create_group(name);
  h5::Dataset d = group.write_dataset<std::uint8_t>("x", contiguous(x, scratch), {x.rows(), x.cols()});
  d.set_attribute("scale", static_cast<double>(scale));
  write_labels(group, y, t);
  splits_.push_back(name);
}

void DatasetWriter::add_split(const std::string& name, ConstView<float> x, std::span<const std::int32_t> y,
                              std::span<const float> t) {
  check_split(name, x.shape(), y, t);
  if (info_.sample_shape.empty()) info_.sample_shape = {x.cols()};  // one flat sample per row
  for (std::size_t r = 0; r < x.rows(); ++r)
    for (std::size_t c = 0; c < x.cols(); ++c)
      if (!std::isfinite(x(r, c)))
        throw ArgumentError(
            fmt::format("dataset split '{}': value {} at row {}, column {} is not finite", name, x(r, c), r, c));
  Matrix<float> scratch;
  h5::Group group = file_->root().create_group(name);
  group.write_dataset<float>("x", contiguous(x, scratch), {x.rows(), x.cols()});
  write_labels(group, y, t);
  splits_.push_back(name);
}

void DatasetWriter::commit() {
  if (!file_) throw ArgumentError("dataset writer: already committed");
  if (std::ranges::find(splits_, "train") == splits_.end())
    throw ArgumentError(fmt::format("{}: a dataset needs a 'train' split", path_.string()));
  const std::vector<std::int64_t> shape(info_.sample_shape.begin(), info_.sample_shape.end());
  file_->root().set_attribute("sample_shape", std::span<const std::int64_t>(shape));
  file_->flush();
  file_->close();
  file_.reset();
  atomic_->commit();
}

}  // namespace gibbs::io
