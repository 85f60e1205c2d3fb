// `gibbs sample CKPT --chains C --steps S --every E -o PNG [--init noise|data|FILE]
// [--clamp UNITS] [--save H5]`: free-running Gibbs chains, one picture column per chain, one
// row for the start and one after every E steps.
#include <fmt/format.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/tiles.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.random;

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

// The chains' starting states: uniform noise, or rows of a dataset (cycled when there are more
// chains than rows). `info` is that dataset's; from noise, that of the dataset named (--data, else
// the model's own, when the checkpoint names it) unless `shape_given`, for the shape of a sample.
Matrix<float> starting_states(const std::string& init, const TrainedModel& trained, const std::string& data,
                              bool shape_given, std::size_t chains, std::uint64_t seed, io::DatasetInfo& info) {
  const std::size_t width = trained.model->input_size();
  if (init == "noise") {
    Matrix<float> states(chains, width);
    random::uniform(random::streams::chain_start(seed), 0, states.view());
    if (const auto dataset = named_dataset(trained, data); dataset && !shape_given)
      info = io::DatasetReader(*dataset).info();
    return states;
  }
  const io::DatasetReader reader(init == "data" ? dataset_of(trained, data) : std::filesystem::path(init));
  info = reader.info();
  const std::string split = split_of(reader, "");
  const std::size_t rows = reader.split(split).rows;
  if (rows == 0) throw FormatError(reader.path().string(), fmt::format("the {} split has no rows", split));
  std::vector<std::size_t> picks(chains);
  for (std::size_t c = 0; c < chains; ++c) picks[c] = c % rows;
  return read_rows(reader, split, picks, trained).x;
}

void save_states(const std::filesystem::path& path, ConstView<float> states, const io::DatasetInfo& data_info,
                 const std::string& source) {
  io::DatasetInfo info;
  info.source = source;
  info.sample_shape = data_info.sample_shape;
  std::size_t product = 1;
  for (std::size_t d : info.sample_shape) product *= d;
  if (info.sample_shape.empty() || product != states.cols()) info.sample_shape = {states.cols()};
  io::DatasetWriter writer(path, info);
  writer.add_split("train", states);
  writer.commit();
}

const CommandSpec kSpec{
    .path = "sample",
    .summary = "run Gibbs chains on a trained model and picture them",
    .usage = {"gibbs sample CKPT -o PNG [--chains C] [--steps S] [--every E] [--init noise|data|FILE] [--clamp UNITS] "
              "[--save H5]"},
    .positional = kCheckpoint,
    .options =
        {
            {"output,o", value<std::string>("PNG"), "the picture to write", kRequired},
            {"chains", value<std::size_t>("C", 10), "chains (picture columns)"},
            {"steps", value<std::size_t>("S", 1000), "Gibbs steps"},
            {"every", value<std::size_t>("E", 100), "a picture row after every E steps"},
            {"init", value<std::string>("HOW", "noise"),
             "noise (uniform in [0, 1)), data (rows of the model's dataset, test split first) or FILE (rows of that "
             "dataset)"},
            data_option("the dataset of --init data (default: the one the model was trained on)"),
            {"clamp", value<std::string>("UNITS", ""),
             "visible units held at their starting values, e.g. 0,1 or 0-391 (pattern completion)"},
            {"seed", value<std::uint64_t>("N", 0), "seed of the chains' draws"},
            {"save", value<std::string>("H5"), "also write the chains' final states as a gibbs dataset"},
            tile_shape_option(),
        },
    .threads = kThreads,
};

int sample_command(const po::variables_map& vm) {
  const std::size_t chains = vm["chains"].as<std::size_t>(), steps = vm["steps"].as<std::size_t>(),
                    every = vm["every"].as<std::size_t>();
  if (chains == 0 || steps == 0 || every == 0)
    throw ArgumentError("sample: --chains, --steps and --every must be at least 1");
  if (steps / every > 1000) throw ArgumentError("sample: more than 1000 picture rows; raise --every");
  const std::string checkpoint = vm["checkpoint"].as<std::string>(), png = vm["output"].as<std::string>();
  const std::uint64_t seed = vm["seed"].as<std::uint64_t>();
  const TrainedModel trained = load_trained_model(checkpoint);
  const std::vector<std::size_t> clamped =
      vm["clamp"].as<std::string>().empty()
          ? std::vector<std::size_t>{}
          : parse_units(vm["clamp"].as<std::string>(), "sample: --clamp", trained.model->input_size());
  io::DatasetInfo info;
  const std::string shape = vm["tile-shape"].as<std::string>();
  Matrix<float> states = starting_states(vm["init"].as<std::string>(), trained, vm["data"].as<std::string>(),
                                         !shape.empty(), chains, seed, info);
  const auto [tile_h, tile_w] = tile_shape(shape, info, states.cols());

  std::vector<Matrix<float>> rows = {states};
  trained.model->sample(states, clamped, seed, steps, every,
                        [&](std::size_t, ConstView<float> means) { rows.emplace_back(means); });
  // The states first: a --save that cannot be written (a directory) then leaves the picture as it was.
  if (vm.contains("save"))
    save_states(vm["save"].as<std::string>(), states, info,
                fmt::format("gibbs sample {}: {} chains, {} steps, seed {}", checkpoint, chains, steps, seed));
  std::vector<ConstView<float>> grid(rows.begin(), rows.end());
  write_sample_grid(png, grid, {tile_h, tile_w});
  fmt::print("{}: {} chains (columns); the start, then the visible means after every {} of {} steps (rows)\n", png,
             chains, every, steps);
  return 0;
}

const Registration registration{kSpec, sample_command};

}  // namespace
}  // namespace gibbs::cli
