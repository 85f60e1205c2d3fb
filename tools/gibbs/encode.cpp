// `gibbs encode CKPT [--data FILE] -o CODES.h5`: every split of a dataset through the model's
// encoder, written as a gibbs dataset of codes with the labels and targets kept, so that
// another model (an MLP on an autoencoder's codes) can train on it.
#include <fmt/format.h>
#include <boost/program_options.hpp>

#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/data.h"
#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

const CommandSpec kSpec{
    .path = "encode",
    .summary = "a dataset's codes under a model's encoder, as a new dataset",
    .usage = {"gibbs encode CKPT [--data FILE] -o CODES.h5"},
    .positional = kCheckpoint,
    .options =
        {
            data_option(),
            {"output,o", value<std::string>("CODES.h5"), "the dataset of codes to write", kRequired},
        },
    .threads = kThreads,
};

int encode_command(const po::variables_map& vm) {
  const std::string checkpoint = vm["checkpoint"].as<std::string>(), output = vm["output"].as<std::string>();
  const TrainedModel trained = load_trained_model(checkpoint);
  const io::DatasetReader reader(dataset_of(trained, vm["data"].as<std::string>()));
  std::vector<io::Batch> splits;
  for (const io::SplitInfo& split : reader.splits()) {
    std::vector<std::size_t> rows(split.rows);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    io::Batch batch = read_rows(reader, split.name, rows, trained);
    batch.x = trained.model->encode(batch.x);
    splits.push_back(std::move(batch));
  }
  io::DatasetInfo info = reader.info();
  info.source = fmt::format("codes of {} ({} model) on {}", checkpoint, trained.checkpoint.model, reader.info().source);
  info.sample_shape = {splits.front().x.cols()};
  io::DatasetWriter writer(output, info);
  for (std::size_t s = 0; s < splits.size(); ++s)
    writer.add_split(reader.splits()[s].name, splits[s].x, splits[s].y, splits[s].t);
  writer.commit();
  print_written(output);
  return 0;
}

const Registration registration{kSpec, encode_command};

}  // namespace
}  // namespace gibbs::cli
