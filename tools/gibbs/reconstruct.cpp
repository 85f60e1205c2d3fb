// `gibbs reconstruct CKPT [--data FILE] [--split NAME] [--per-class K] -o PNG`: K examples of
// every class, each class as a row of originals above a row of their reconstructions.
#include <fmt/format.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/tiles.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.simd;

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

// The first `per_class` rows of each class in file order (grouped by class), or the first
// `per_class` rows when the split has no labels.
std::vector<std::vector<std::size_t>> pick_rows(const io::DatasetReader& reader, const std::string& split,
                                                std::size_t per_class) {
  const std::vector<std::int32_t> labels = reader.labels(split);
  const std::size_t rows = reader.split(split).rows;
  if (labels.empty()) {
    std::vector<std::size_t> first(std::min(per_class, rows));
    for (std::size_t i = 0; i < first.size(); ++i) first[i] = i;
    return {first};
  }
  // A file may label rows without naming the classes: as many groups as the largest label needs.
  std::size_t classes = reader.info().classes.size();
  for (const std::int32_t y : labels) classes = std::max(classes, static_cast<std::size_t>(y) + 1);
  std::vector<std::vector<std::size_t>> groups(classes);
  for (std::size_t r = 0; r < rows; ++r) {
    auto& group = groups[static_cast<std::size_t>(labels[r])];
    if (group.size() < per_class) group.push_back(r);
  }
  std::erase_if(groups, [](const auto& g) { return g.empty(); });
  return groups;
}

const CommandSpec kSpec{
    .path = "reconstruct",
    .summary = "picture of examples of every class above their reconstructions",
    .usage = {"gibbs reconstruct CKPT -o PNG [--data FILE] [--split NAME] [--per-class K]"},
    .positional = kCheckpoint,
    .options =
        {
            {"output,o", value<std::string>("PNG"), "the picture to write", kRequired},
            data_option(),
            split_option(),
            {"per-class", value<std::size_t>("K", 10), "examples of every class"},
            tile_shape_option(),
        },
};

int reconstruct_command(const po::variables_map& vm) {
  const std::size_t per_class = vm["per-class"].as<std::size_t>();
  if (per_class == 0) throw ArgumentError("reconstruct: --per-class must be at least 1");

  const std::string checkpoint = vm["checkpoint"].as<std::string>(), png = vm["output"].as<std::string>();
  const TrainedModel trained = load_trained_model(checkpoint);
  const io::DatasetReader reader(dataset_of(trained, vm["data"].as<std::string>()));
  const std::string split = split_of(reader, vm["split"].as<std::string>());
  const auto [tile_h, tile_w] = tile_shape(vm["tile-shape"].as<std::string>(), reader.info(), reader.split(split).cols);

  std::vector<Matrix<float>> originals, reconstructions;
  double squared_error = 0;
  std::size_t values = 0;
  for (const std::vector<std::size_t>& rows : pick_rows(reader, split, per_class)) {
    io::Batch batch = read_rows(reader, split, rows, trained);
    reconstructions.push_back(trained.model->reconstruct(batch.x));
    squared_error += simd::sum_squared_difference(batch.x, reconstructions.back());
    values += batch.x.size();
    originals.push_back(std::move(batch.x));
  }
  std::vector<ConstView<float>> grid;
  for (std::size_t g = 0; g < originals.size(); ++g) {
    grid.push_back(originals[g]);
    grid.push_back(reconstructions[g]);
  }
  write_sample_grid(png, grid, {tile_h, tile_w});
  fmt::print(
      "{}: {} groups of up to {} {} examples (originals above reconstructions); their reconstruction_mse {:.6g}\n", png,
      originals.size(), per_class, split, squared_error / static_cast<double>(values));
  return 0;
}

const Registration registration{kSpec, reconstruct_command};

}  // namespace
}  // namespace gibbs::cli
