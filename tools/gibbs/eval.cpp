// `gibbs eval CKPT [--data FILE] [--split NAME] [--json]`: the model's scores on a whole split
// (the metrics training records after every epoch, on every row), and for a classifier its
// confusion matrix. With --log-likelihood: log Z (exact or by AIS) and the mean log-likelihood
// −F(v) − log Z of the training and the test split. For a model that encodes, its squared error
// per image beside PCA's with as many components, fitted on the train split.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/json.h"
#include "tools/gibbs/pca_baseline.h"
#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.linalg;
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

// Hinton & Salakhutdinov's measure, Σ over pixels of (reconstruction − x)² averaged over the rows,
// for the model and for PCA with as many components as the code has values (at most the width);
// nothing for a model that cannot encode or reconstruct.
struct SquaredErrors {
  double model = 0, pca = 0;
  std::size_t components = 0, train_rows = 0;
};

std::optional<SquaredErrors> squared_errors(const TrainedModel& trained, const io::DatasetReader& reader,
                                            const io::Batch& batch) {
  const std::optional<Matrix<float>> codes = codes_of(*trained.model, batch.x);
  if (!codes) return std::nullopt;
  const std::optional<Matrix<float>> reconstruction = reconstruction_of(*trained.model, batch.x);
  if (!reconstruction) return std::nullopt;
  SquaredErrors e;
  e.model = linalg::squared_error_per_row(batch.x, *reconstruction);
  e.components = std::min(codes->cols(), batch.x.cols());
  const TrainPca fitted = fit_train_pca(reader, trained, e.components);
  e.pca = linalg::squared_error_per_row(batch.x, fitted.pca.reconstruct(fitted.pca.project(batch.x)));
  e.train_rows = fitted.rows;
  return e;
}

const CommandSpec kSpec{
    .path = "eval",
    .summary = "score a checkpoint's model on a dataset split",
    .usage = {"gibbs eval CKPT [--data FILE] [--split NAME] [--json]",
              "gibbs eval CKPT --log-likelihood [--exact] [--ais-runs N] [--ais-betas N] [--seed S] [--data FILE] "
              "[--json]"},
    .positional = kCheckpoint,
    .options =
        [] {
          std::vector<Option> options = {
              data_option(),
              split_option(),
              {"json", "one JSON object instead of text"},
              {"log-likelihood",
               "log Z and the mean log-likelihood −F(v) − log Z of the train and test splits (an RBM)"},
              {"exact", "with --log-likelihood: log Z by enumerating the smaller layer (at most 25 units)"},
              {"seed", value<std::uint64_t>("S", 0), "AIS: the seed of its draws"},
          };
          // --ais-runs and --ais-betas as gibbs.plugin declares them (gibbs train has them too).
          const boost::program_options::options_description ais =
              plugin_options("", declared_options<PartitionOptions>());
          for (const auto& option : ais.options()) options.emplace_back(option);
          return options;
        }(),
    .threads = kThreads,
};

struct SplitLikelihood {
  std::string split;
  std::size_t rows = 0;
  double mean = 0, lower = 0, upper = 0;
};

int log_likelihood_command(const po::variables_map& vm, const std::string& checkpoint, const TrainedModel& trained,
                           const io::DatasetReader& reader) {
  const PartitionOptions ais = read_options<PartitionOptions>(given_options(vm, declared_options<PartitionOptions>()));
  PartitionSettings settings = ais.settings(vm["seed"].as<std::uint64_t>());
  settings.exact = vm.contains("exact");
  const auto all_rows = [&](const std::string& split) {
    std::vector<std::size_t> rows(reader.split(split).rows);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    io::Batch batch = read_rows(reader, split, rows, trained);
    if (const std::string why = trained.model->likelihood_domain_error(batch.x); !why.empty())
      throw FormatError(reader.path().string(),
                        fmt::format("the {} split has no log-likelihood under the model: {} (binarise it: gibbs data "
                                    "binarize)",
                                    split, why));
    return batch;
  };
  const io::Batch train = all_rows("train");
  const LogPartition z = trained.model->log_partition({train.x, train.y, train.t}, settings);
  std::vector<SplitLikelihood> splits;
  for (const std::string split : {"test", "train"}) {
    if (!reader.has_split(split)) continue;
    const io::Batch batch = split == "train" ? io::Batch{} : all_rows(split);
    const io::Batch& rows = split == "train" ? train : batch;
    const double f = trained.model->mean_free_energy(rows.x);
    splits.push_back({split, rows.x.rows(), -f - z.log_z, -f - z.upper, -f - z.lower});
  }
  const std::string method = z.exact ? "exact" : "ais";
  if (vm.contains("json")) {
    std::vector<std::string> fields = {fmt::format(R"("checkpoint": {})", json_string(checkpoint)),
                                       fmt::format(R"("data": {})", json_string(reader.path().string())),
                                       fmt::format(R"("log_partition_method": "{}")", method),
                                       fmt::format(R"("log_partition": {})", json_number(z.log_z)),
                                       fmt::format(R"("log_partition_lower": {})", json_number(z.lower)),
                                       fmt::format(R"("log_partition_upper": {})", json_number(z.upper))};
    if (!z.exact) {
      fields.push_back(fmt::format(R"("ais_runs": {})", settings.ais_runs));
      fields.push_back(fmt::format(R"("ais_betas": {})", settings.ais_steps));
      fields.push_back(fmt::format(R"("seed": {})", settings.seed));
    }
    for (const SplitLikelihood& s : splits) {
      fields.push_back(fmt::format(R"("{}_rows": {})", s.split, s.rows));
      fields.push_back(fmt::format(R"("{}_log_likelihood": {})", s.split, json_number(s.mean)));
      fields.push_back(fmt::format(R"("{}_log_likelihood_lower": {})", s.split, json_number(s.lower)));
      fields.push_back(fmt::format(R"("{}_log_likelihood_upper": {})", s.split, json_number(s.upper)));
    }
    fmt::print("{{{}}}\n", fmt::join(fields, ", "));
    return 0;
  }
  const auto interval = [&](double lower, double upper) {
    return z.exact ? std::string("exact") : fmt::format("±3 s.e. [{:.6g}, {:.6g}]", lower, upper);
  };
  fmt::print("{} on {}\n", checkpoint, reader.path().string());
  if (z.exact)
    fmt::print("  log Z  {:.8g} (exact)\n", z.log_z);
  else
    fmt::print("  log Z  {:.8g} (AIS: {} runs, {} betas, seed {}; {})\n", z.log_z, settings.ais_runs,
               settings.ais_steps, settings.seed, interval(z.lower, z.upper));
  for (const SplitLikelihood& s : splits)
    fmt::print("  mean log-likelihood, {} split ({} rows)  {:.6g} ({})\n", s.split, s.rows, s.mean,
               interval(s.lower, s.upper));
  return 0;
}

int eval_command(const po::variables_map& vm) {
  const std::string checkpoint = vm["checkpoint"].as<std::string>();
  const TrainedModel trained = load_trained_model(checkpoint);
  if (vm.contains("log-likelihood")) {
    const io::DatasetReader reader(dataset_of(trained, vm["data"].as<std::string>()));
    return log_likelihood_command(vm, checkpoint, trained, reader);
  }
  if (vm.contains("exact")) throw ArgumentError("eval: --exact goes with --log-likelihood");
  const io::DatasetReader reader(dataset_of(trained, vm["data"].as<std::string>()));
  const std::string split = split_of(reader, vm["split"].as<std::string>());
  std::vector<std::size_t> rows(reader.split(split).rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const io::Batch batch = read_rows(reader, split, rows, trained);
  const Metrics metrics = trained.model->evaluate({batch.x, batch.y, batch.t}, 0);
  const std::vector<std::vector<std::size_t>> confusion = confusion_matrix(*trained.model, batch, reader.info());
  const std::optional<SquaredErrors> squared = squared_errors(trained, reader, batch);

  if (vm.contains("json")) {
    std::vector<std::string> fields = {fmt::format(R"("checkpoint": {})", json_string(checkpoint)),
                                       fmt::format(R"("data": {})", json_string(reader.path().string())),
                                       fmt::format(R"("split": {})", json_string(split)),
                                       fmt::format(R"("rows": {})", rows.size())};
    for (const Metric& m : metrics)
      fields.push_back(fmt::format(R"({}: {})", json_string(m.name), json_number(m.value)));
    if (squared) {
      fields.push_back(fmt::format(R"("squared_error_per_image": {})", json_number(squared->model)));
      fields.push_back(fmt::format(R"("pca_squared_error_per_image": {})", json_number(squared->pca)));
      fields.push_back(fmt::format(R"("pca_components": {})", squared->components));
      fields.push_back(fmt::format(R"("pca_train_rows": {})", squared->train_rows));
    }
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
  if (squared) {
    fmt::print("  {:<30} model {:.6g}, PCA {:.6g} ({} components fitted on the {} train rows)\n",
               "squared_error_per_image", squared->model, squared->pca, squared->components, squared->train_rows);
  }
  if (!confusion.empty()) print_confusion(confusion, reader.info().classes);
  return 0;
}

const Registration registration{kSpec, eval_command};

}  // namespace
}  // namespace gibbs::cli
