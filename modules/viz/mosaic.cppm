// gibbs.viz:mosaic — equal tiles (e.g. 28×28 images) in a grid with separators, as an 8-bit
// greyscale image, and write_png (libpng, written atomically).
module;
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>
export module gibbs.viz:mosaic;
import gibbs.core;

export namespace gibbs::viz {

// How a tile's values become grey levels 0 (black) … 255 (white).
enum class Normalise {
  per_tile,  // each tile's own min → 0 and max → 255 (weights, filters); a constant tile is 128
  range,     // [low, high] → [0, 255], clamped outside (images, reconstructions, samples)
};

struct MosaicOptions {
  std::size_t tile_height = 28, tile_width = 28;  // a tile is tile_height × tile_width values, row-major
  Normalise normalise = Normalise::range;
  float low = 0, high = 1;    // the range for Normalise::range
  std::size_t upscale = 1;    // each value becomes upscale × upscale pixels
  std::size_t separator = 1;  // pixels between neighbouring tiles (none around the edge)
  std::uint8_t separator_grey = 255;
  std::uint8_t empty_grey = 255;  // grid cells that hold no tile
};

// A grid of grid_rows × grid_columns tile cells; cells start empty.
class Mosaic {
 public:
  Mosaic(std::size_t grid_rows, std::size_t grid_columns, const MosaicOptions& options);

  // Draws `values` (tile_height × tile_width of them, else a ShapeError) into one cell.
  void put(std::size_t grid_row, std::size_t grid_column, std::span<const float> values);

  std::size_t width() const { return width_; }  // pixels
  std::size_t height() const { return height_; }
  std::uint8_t at(std::size_t y, std::size_t x) const { return pixels_[y * width_ + x]; }
  std::span<const std::uint8_t> pixels() const { return pixels_; }  // row-major, height × width
  const MosaicOptions& options() const { return options_; }

 private:
  MosaicOptions options_;
  std::size_t grid_rows_, grid_columns_, width_, height_;
  std::vector<std::uint8_t> pixels_;
};

// One tile per row of `tiles` (a row holds tile_height × tile_width values), `columns` tiles per
// grid row, as many grid rows as needed.
Mosaic tile_rows(ConstView<float> tiles, std::size_t columns, const MosaicOptions& options);

// Grid row i shows the rows of grid_rows[i] left to right: originals above reconstructions,
// or one grid row per recorded sampling step with one column per chain.
Mosaic tile_grid(std::span<const ConstView<float>> grid_rows, const MosaicOptions& options);

// 8-bit greyscale PNG, written to a temporary file in the same folder and renamed into place;
// any failure is an IoError naming `path`, and an existing file there is left as it was.
void write_png(const std::filesystem::path& path, const Mosaic& mosaic);

}  // namespace gibbs::viz
