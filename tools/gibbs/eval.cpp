// `gibbs eval CKPT [--data FILE] [--split NAME] [--json]`: the model's scores on a whole split
// (the metrics training records after every epoch, on every row), and for a classifier its
// confusion matrix.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/json.h"
#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

// confusion[true class][predicted class], counts over the rows; empty when the model does not
// classify or the rows have no labels.
std::vector<std::vector<std::size_t>> confusion_matrix(const Model& model, const io::Batch& batch,
                                                       const io::DatasetInfo& info) {
  if (batch.y.empty()) return {};
  const std::vector<std::int32_t> predicted = model.classify(batch.x);
  if (predicted.empty()) return {};
  std::size_t classes = info.classes.size();
  for (std::size_t r = 0; r < predicted.size(); ++r)
    classes = std::max({classes, static_cast<std::size_t>(predicted[r]) + 1, static_cast<std::size_t>(batch.y[r]) + 1});
  std::vector<std::vector<std::size_t>> confusion(classes, std::vector<std::size_t>(classes, 0));
  for (std::size_t r = 0; r < predicted.size(); ++r)
    ++confusion[static_cast<std::size_t>(batch.y[r])][static_cast<std::size_t>(predicted[r])];
  return confusion;
}

void print_confusion(const std::vector<std::vector<std::size_t>>& confusion, const std::vector<std::string>& classes) {
  const auto name = [&](std::size_t c) { return c < classes.size() ? classes[c] : std::to_string(c); };
  std::size_t width = 6, label = 4;
  for (std::size_t c = 0; c < confusion.size(); ++c) {
    label = std::max(label, name(c).size());
    for (const std::size_t n : confusion[c]) width = std::max(width, std::to_string(n).size() + 1);
  }
  fmt::print("confusion (rows: true class, columns: predicted class)\n  {:<{}}", "", label);
  for (std::size_t c = 0; c < confusion.size(); ++c) fmt::print("{:>{}}", c, width);
  fmt::print("\n");
  for (std::size_t c = 0; c < confusion.size(); ++c) {
    fmt::print("  {:<{}}", name(c), label);
    for (const std::size_t n : confusion[c]) fmt::print("{:>{}}", n, width);
    fmt::print("  {}\n", c);
  }
}

const CommandSpec kSpec{
    .path = "eval",
    .summary = "score a checkpoint's model on a dataset split",
    .usage = {"gibbs eval CKPT [--data FILE] [--split NAME] [--json]"},
    .positional = kCheckpoint,
    .options =
        {
            data_option(),
            split_option(),
            {"json", "one JSON object instead of text"},
        },
    .threads = kThreads,
};

int eval_command(const po::variables_map& vm) {
  const std::string checkpoint = vm["checkpoint"].as<std::string>();
  const TrainedModel trained = load_trained_model(checkpoint);
  const io::DatasetReader reader(dataset_of(trained, vm["data"].as<std::string>()));
  const std::string split = split_of(reader, vm["split"].as<std::string>());
  std::vector<std::size_t> rows(reader.split(split).rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const io::Batch batch = read_rows(reader, split, rows, trained);
  const Metrics metrics = trained.model->evaluate({batch.x, batch.y, batch.t}, 0);
  const std::vector<std::vector<std::size_t>> confusion = confusion_matrix(*trained.model, batch, reader.info());

  if (vm.contains("json")) {
    std::vector<std::string> fields = {fmt::format(R"("checkpoint": {})", json_string(checkpoint)),
                                       fmt::format(R"("data": {})", json_string(reader.path().string())),
                                       fmt::format(R"("split": {})", json_string(split)),
                                       fmt::format(R"("rows": {})", rows.size())};
    for (const Metric& m : metrics)
      fields.push_back(fmt::format(R"({}: {})", json_string(m.name), json_number(m.value)));
    if (!confusion.empty()) {
      std::vector<std::string> rows_json;
      for (const auto& row : confusion) rows_json.push_back(fmt::format("[{}]", fmt::join(row, ", ")));
      fields.push_back(fmt::format(R"("confusion": [{}])", fmt::join(rows_json, ", ")));
    }
    fmt::print("{{{}}}\n", fmt::join(fields, ", "));
    return 0;
  }
  fmt::print("{} on the {} split of {} ({} rows)\n", checkpoint, split, reader.path().string(), rows.size());
  for (const Metric& m : metrics) fmt::print("  {:<30} {:.6g}\n", m.name, m.value);
  if (!confusion.empty()) print_confusion(confusion, reader.info().classes);
  return 0;
}

const Registration registration{kSpec, eval_command};

}  // namespace
}  // namespace gibbs::cli
