// `gibbs inspect A.h5 [B.h5 ...] --curves PNG` (every history metric against epoch, runs overlaid,
// a test_X curve dashed in X's panel)
// and `gibbs inspect CKPT --filters PNG` (each hidden unit's weights as a tile of a mosaic).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "tools/gibbs/inspect.h"
#include "tools/gibbs/tiles.h"
import gibbs.core;
import gibbs.io;
import gibbs.viz;

namespace fs = std::filesystem;

namespace gibbs::cli {

std::size_t write_curves(const std::vector<fs::path>& checkpoints, const fs::path& png, const std::string& metrics) {
  std::vector<std::pair<std::string, io::Checkpoint>> runs;
  for (const fs::path& file : checkpoints) {
    io::Checkpoint c = io::load_checkpoint(file);
    if (c.history.empty()) throw ArgumentError(fmt::format("inspect: {} has no history to plot", file.string()));
    // The legend names a run by its file name, or by the path given when two names are alike.
    const auto same_name = std::count_if(checkpoints.begin(), checkpoints.end(),
                                         [&](const fs::path& p) { return p.filename() == file.filename(); });
    runs.emplace_back(same_name > 1 ? file.string() : file.filename().string(), std::move(c));
  }
  return write_curves(runs, png, metrics);
}

bool is_timing_metric(const std::string& metric) { return metric == "seconds" || metric == "images_per_second"; }

std::size_t write_curves(const std::vector<std::pair<std::string, io::Checkpoint>>& runs, const fs::path& png,
                         const std::string& metrics) {
  // Panels come in the order of their first curve: every run's metrics, then the timings. A
  // test_X curve goes in X's panel; epoch is the x axis.
  std::set<std::string> wanted;
  for (std::size_t start = 0; start < metrics.size();) {
    const std::size_t comma = std::min(metrics.find(',', start), metrics.size());
    std::string name = metrics.substr(start, comma - start);
    wanted.insert(name.starts_with("test_") ? name.substr(5) : name);
    start = comma + 1;
  }
  std::set<std::string> drawn, available;
  std::vector<viz::Series> series;
  for (const bool timing : {false, true})
    for (const auto& [run, c] : runs)
      for (const auto& [metric, values] : c.history) {
        if (metric == "epoch" || is_timing_metric(metric) != timing) continue;
        const bool test = metric.starts_with("test_");
        const std::string panel = test ? metric.substr(5) : metric;
        available.insert(panel);
        if (!wanted.empty() && !wanted.contains(panel)) continue;
        drawn.insert(panel);
        series.push_back({panel, run, values, test});
      }
  for (const std::string& name : wanted)
    if (!drawn.contains(name))
      throw ArgumentError(
          fmt::format("inspect: --metrics: no checkpoint has '{}' (they have: {})", name, fmt::join(available, ", ")));
  viz::plot_curves(png, series);
  return series.size();
}

void write_filters(const fs::path& checkpoint, const fs::path& png, const FilterOptions& options) {
  const io::Checkpoint c = io::load_checkpoint(checkpoint);
  const auto found = c.params.find(options.param);
  if (found == c.params.end()) {
    std::vector<std::string> names;
    for (const auto& [name, _] : c.params) names.push_back(name);
    throw ArgumentError(fmt::format("inspect: {} has no parameter '{}' (it has: {}); choose one with --filter-param",
                                    checkpoint.string(), options.param,
                                    names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
  }
  const io::Tensor& w = found->second;
  if (w.shape.size() != 2)
    throw ArgumentError(fmt::format("inspect: parameter '{}' has shape [{}]; filters need a [visible, hidden] matrix",
                                    options.param, fmt::join(w.shape, ", ")));
  const std::size_t visible = w.shape[0], hidden = w.shape[1];
  std::size_t tile_h = 0, tile_w = 0;
  if (!options.tile_shape.empty()) {
    std::tie(tile_h, tile_w) = parse_tile_shape(options.tile_shape);
  } else {
    tile_h = tile_w = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(visible))));
    if (tile_h * tile_w != visible)
      throw ArgumentError(
          fmt::format("inspect: {} visible units of '{}' are not a square; give --tile-shape HEIGHTxWIDTH", visible,
                      options.param));
  }
  if (tile_h * tile_w != visible)
    throw ArgumentError(fmt::format("inspect: --tile-shape {}x{} holds {} values, but '{}' has {} visible units",
                                    tile_h, tile_w, tile_h * tile_w, options.param, visible));
  if (options.tiles == 0) throw ArgumentError("inspect: --tiles must be at least 1");
  const std::size_t n = std::min(options.tiles, hidden);
  if (n == 0) throw ArgumentError(fmt::format("inspect: parameter '{}' has no hidden units", options.param));
  Matrix<float> tiles(n, visible);  // hidden unit j's weights are column j of W
  for (std::size_t i = 0; i < visible; ++i)
    for (std::size_t j = 0; j < n; ++j) tiles(j, i) = w.values[i * hidden + j];
  viz::MosaicOptions mosaic;
  mosaic.tile_height = tile_h, mosaic.tile_width = tile_w;
  mosaic.normalise = viz::Normalise::per_tile;
  mosaic.upscale = std::max<std::size_t>(1, 64 / std::max(tile_h, tile_w));  // small tiles drawn bigger
  mosaic.separator = 2, mosaic.separator_grey = 0;
  const auto columns = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  viz::write_png(png, viz::tile_rows(tiles.view(), columns, mosaic));
  fmt::print("{}: {} of {} hidden units of '{}' as {}x{} tiles, {} per row\n", png.string(), n, hidden, options.param,
             tile_h, tile_w, columns);
}

}  // namespace gibbs::cli
