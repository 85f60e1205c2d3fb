// The covariance: the rows centred into double panels, each panel's PᵀP added to the upper
// triangle tile by tile (kernels/gram) in parallel, then mirrored. The tiles are fixed by the
// width alone and each element's sum runs over the rows in order, so the thread count changes
// only the speed.
module;
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "modules/linalg/kernels/gram.h"
module gibbs.linalg;
import gibbs.core;

namespace gibbs::linalg {
namespace {

constexpr std::size_t kPanelRows = 256;  // a panel of 784 columns is 1.6 MB
constexpr std::size_t kTileRows = 32;    // a tile of the covariance: 32 of its rows ...
constexpr std::size_t kTileCols = 96;    // ... by 96 columns (whole blocks of 3 vectors on every target)

struct Tile {
  std::size_t i0, i1, j0, j1;
};

// The tiles that hold the upper triangle (and some of the lower, near the diagonal).
std::vector<Tile> upper_tiles(std::size_t n) {
  std::vector<Tile> tiles;
  for (std::size_t i0 = 0; i0 < n; i0 += kTileRows)
    for (std::size_t j0 = 0; j0 < n; j0 += kTileCols) {
      const std::size_t i1 = std::min(i0 + kTileRows, n), j1 = std::min(j0 + kTileCols, n);
      if (j1 > i0) tiles.push_back({i0, i1, j0, j1});
    }
  return tiles;
}

}  // namespace

Moments moments(ConstView<float> x) {
  const std::size_t rows = x.rows(), cols = x.cols();
  if (rows == 0) throw ArgumentError("moments: no rows");
  std::vector<double> mean(cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = x.row(r).data();
    for (std::size_t c = 0; c < cols; ++c) mean[c] += row[c];
  }
  for (double& m : mean) m /= static_cast<double>(rows);

  Matrix<double> covariance(cols, cols);
  const std::vector<Tile> tiles = upper_tiles(cols);
  Matrix<double> panel(std::min(kPanelRows, rows), cols);
  for (std::size_t first = 0; first < rows; first += kPanelRows) {
    const std::size_t count = std::min(kPanelRows, rows - first);
    for (std::size_t r = 0; r < count; ++r) {
      const float* row = x.row(first + r).data();
      double* centred = panel.row(r).data();
      for (std::size_t c = 0; c < cols; ++c) centred[c] = static_cast<double>(row[c]) - mean[c];
    }
    const auto run = [&](std::size_t t) {
      const Tile& tile = tiles[t];
      kernels::GramTile(panel.data(), cols, count, tile.i0, tile.i1, tile.j0, tile.j1, covariance.data(), cols);
    };
    if (thread_count() <= 1 || tiles.size() == 1) {
      for (std::size_t t = 0; t < tiles.size(); ++t) run(t);
    } else {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, tiles.size(), 1),
                        [&](const tbb::blocked_range<std::size_t>& range) {
                          for (std::size_t t = range.begin(); t < range.end(); ++t) run(t);
                        });
    }
  }
  const double divisor = rows > 1 ? static_cast<double>(rows - 1) : 1.0;
  for (std::size_t i = 0; i < cols; ++i)
    for (std::size_t j = i; j < cols; ++j) covariance(j, i) = covariance(i, j) /= divisor;
  return {std::move(mean), std::move(covariance)};
}

}  // namespace gibbs::linalg
