// gibbs.viz:mosaic — placing and normalising tiles.
module;
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>
module gibbs.viz;
import gibbs.core;

namespace gibbs::viz {
namespace {

std::size_t extent(std::size_t cells, std::size_t tile, const MosaicOptions& o) {
  return cells == 0 ? 0 : cells * tile * o.upscale + (cells - 1) * o.separator;
}

std::uint8_t grey(float v, float low, float high) {
  if (!(high > low)) return 128;
  const float t = std::clamp((v - low) / (high - low), 0.0f, 1.0f);  // NaN stays NaN: black below
  return std::isnan(t) ? 0 : static_cast<std::uint8_t>(std::lround(t * 255.0f));
}

}  // namespace

Mosaic::Mosaic(std::size_t grid_rows, std::size_t grid_columns, const MosaicOptions& options)
    : options_(options), grid_rows_(grid_rows), grid_columns_(grid_columns) {
  if (options.tile_height == 0 || options.tile_width == 0) throw ArgumentError("mosaic: a tile must not be empty");
  if (options.upscale == 0) throw ArgumentError("mosaic: upscale must be at least 1");
  if (options.normalise == Normalise::range && !(options.high > options.low))
    throw ArgumentError("mosaic: the range needs low < high");
  width_ = extent(grid_columns, options.tile_width, options);
  height_ = extent(grid_rows, options.tile_height, options);
  pixels_.assign(width_ * height_, options.separator_grey);
  for (std::size_t r = 0; r < grid_rows; ++r)
    for (std::size_t c = 0; c < grid_columns; ++c) {
      const std::size_t y0 = r * (options.tile_height * options.upscale + options.separator);
      const std::size_t x0 = c * (options.tile_width * options.upscale + options.separator);
      for (std::size_t y = 0; y < options.tile_height * options.upscale; ++y)
        std::fill_n(pixels_.begin() + (y0 + y) * width_ + x0, options.tile_width * options.upscale, options.empty_grey);
    }
}

void Mosaic::put(std::size_t grid_row, std::size_t grid_column, std::span<const float> values) {
  const MosaicOptions& o = options_;
  if (grid_row >= grid_rows_ || grid_column >= grid_columns_)
    throw ShapeError("mosaic cell out of range", {grid_row + 1, grid_column + 1}, {grid_rows_, grid_columns_});
  if (values.size() != o.tile_height * o.tile_width)
    throw ShapeError("mosaic tile", {1, values.size()}, {1, o.tile_height * o.tile_width});
  float low = o.low, high = o.high;
  if (o.normalise == Normalise::per_tile) {
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    low = *lo, high = *hi;
  }
  const std::size_t y0 = grid_row * (o.tile_height * o.upscale + o.separator);
  const std::size_t x0 = grid_column * (o.tile_width * o.upscale + o.separator);
  for (std::size_t y = 0; y < o.tile_height * o.upscale; ++y)
    for (std::size_t x = 0; x < o.tile_width * o.upscale; ++x)
      pixels_[(y0 + y) * width_ + x0 + x] = grey(values[(y / o.upscale) * o.tile_width + x / o.upscale], low, high);
}

Mosaic tile_rows(ConstView<float> tiles, std::size_t columns, const MosaicOptions& options) {
  if (columns == 0) throw ArgumentError("mosaic: at least one column");
  const std::size_t n = tiles.rows();
  Mosaic mosaic((n + columns - 1) / columns, std::min(n, columns), options);
  for (std::size_t i = 0; i < n; ++i) mosaic.put(i / columns, i % columns, tiles.row(i));
  return mosaic;
}

Mosaic tile_grid(std::span<const ConstView<float>> grid_rows, const MosaicOptions& options) {
  std::size_t columns = 0;
  for (const auto& row : grid_rows) columns = std::max(columns, row.rows());
  Mosaic mosaic(grid_rows.size(), columns, options);
  for (std::size_t r = 0; r < grid_rows.size(); ++r)
    for (std::size_t c = 0; c < grid_rows[r].rows(); ++c) mosaic.put(r, c, grid_rows[r].row(c));
  return mosaic;
}

}  // namespace gibbs::viz
