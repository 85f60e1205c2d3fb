// Tile shapes for pictures of samples.
#include "tools/gibbs/tiles.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
import gibbs.core;
import gibbs.io;
import gibbs.viz;

namespace gibbs::cli {

Option tile_shape_option() {
  return {"tile-shape", value<std::string>("HxW", ""),
          "picture shape of a sample (default: the dataset's sample_shape)"};
}

std::pair<std::size_t, std::size_t> parse_tile_shape(const std::string& text) {
  const auto x = text.find('x');
  std::size_t h = 0, w = 0;
  const char* end = text.data() + text.size();
  const bool ok = x != std::string::npos && std::from_chars(text.data(), text.data() + x, h).ptr == text.data() + x &&
                  std::from_chars(text.data() + x + 1, end, w).ptr == end && h > 0 && w > 0;
  if (!ok) throw ArgumentError(fmt::format("--tile-shape '{}' is not HEIGHTxWIDTH (e.g. 28x28)", text));
  return {h, w};
}

std::pair<std::size_t, std::size_t> tile_shape(const std::string& given, const io::DatasetInfo& info,
                                               std::size_t values) {
  std::pair<std::size_t, std::size_t> shape{1, values};
  if (!given.empty())
    shape = parse_tile_shape(given);
  else if (info.sample_shape.size() == 2)
    shape = {info.sample_shape[0], info.sample_shape[1]};
  else if (const auto side = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(values))));
           side * side == values)
    shape = {side, side};
  if (shape.first * shape.second != values)
    throw ArgumentError(
        fmt::format("a {}x{} tile does not hold the {} values of a sample; give --tile-shape HEIGHTxWIDTH", shape.first,
                    shape.second, values));
  return shape;
}

void write_sample_grid(const std::filesystem::path& png, std::span<const ConstView<float>> grid,
                       std::pair<std::size_t, std::size_t> tile) {
  viz::MosaicOptions mosaic;
  mosaic.tile_height = tile.first, mosaic.tile_width = tile.second;
  mosaic.upscale = std::max<std::size_t>(1, 32 / std::max(tile.first, tile.second));
  viz::write_png(png, viz::tile_grid(grid, mosaic));
}

}  // namespace gibbs::cli
