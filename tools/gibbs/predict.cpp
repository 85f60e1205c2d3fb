// `gibbs predict CKPT [--data FILE] [--split NAME] [-o OUT.csv] [--scatter PNG]`: the model's
// outputs on every row of a split, as a CSV beside the true values, and for a regression a
// picture of predicted against true.
#include <fmt/format.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.viz;

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

// row, the label or target when the split has one, the class a classifier picks, each output;
// to standard output for "-" and /dev/stdout.
void write_csv(const std::string& path, const io::Batch& batch, ConstView<float> outputs,
               const std::vector<std::int32_t>& classes) {
  io::TextOutput file(path);
  std::FILE* out = file.stream();
  std::string header = "row";
  if (!batch.y.empty()) header += ",label";
  if (!batch.t.empty()) header += ",target";
  if (!classes.empty()) header += ",predicted";
  for (std::size_t c = 0; c < outputs.cols(); ++c) header += fmt::format(",output_{}", c);
  fmt::print(out, "{}\n", header);
  for (std::size_t r = 0; r < outputs.rows(); ++r) {
    fmt::print(out, "{}", r);
    if (!batch.y.empty()) fmt::print(out, ",{}", batch.y[r]);
    if (!batch.t.empty()) fmt::print(out, ",{}", batch.t[r]);
    if (!classes.empty()) fmt::print(out, ",{}", classes[r]);
    for (const float v : outputs.row(r)) fmt::print(out, ",{}", v);
    fmt::print(out, "\n");
  }
  file.commit();
}

const CommandSpec kSpec{
    .path = "predict",
    .summary = "a model's outputs on a split (CSV) and predicted against true (PNG)",
    .usage = {"gibbs predict CKPT [--data FILE] [--split NAME] [-o OUT.csv] [--scatter PNG]"},
    .positional = kCheckpoint,
    .options =
        {
            data_option(),
            split_option(),
            {"output,o", value<std::string>("OUT.csv"),
             "every row's true value and outputs, as CSV (- for standard output)"},
            {"scatter", value<std::string>("PNG"), "predicted against true (a split with regression targets)"},
        },
    .threads = kThreads,
};

int predict_command(const po::variables_map& vm) {
  if (!vm.contains("output") && !vm.contains("scatter")) kSpec.missing("-o OUT.csv or --scatter PNG");
  // With the CSV on standard output, the lines that say what was written are left out.
  const bool quiet = vm.contains("output") && io::is_standard_output(vm["output"].as<std::string>());

  const std::string checkpoint = vm["checkpoint"].as<std::string>();
  const TrainedModel trained = load_trained_model(checkpoint);
  const io::DatasetReader reader(dataset_of(trained, vm["data"].as<std::string>()));
  const std::string split = split_of(reader, vm["split"].as<std::string>());
  if (vm.contains("scatter") && !reader.split(split).has_targets)
    throw ArgumentError(fmt::format("predict: --scatter needs regression targets, and the {} split of {} has none",
                                    split, reader.path().string()));
  std::vector<std::size_t> rows(reader.split(split).rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const io::Batch batch = read_rows(reader, split, rows, trained);
  const Matrix<float> outputs = trained.model->predict(batch.x);

  if (vm.contains("scatter")) {
    if (outputs.cols() != 1)
      throw ArgumentError(
          fmt::format("predict: --scatter needs one output a row, and the model has {}", outputs.cols()));
    viz::Points points{{}, {}, 0, fmt::format("{} rows of {}", rows.size(), split)};
    double squared_error = 0, lo = INFINITY, hi = -INFINITY;
    for (std::size_t r = 0; r < outputs.rows(); ++r) {
      points.x.push_back(batch.t[r]);
      points.y.push_back(outputs(r, 0));
      squared_error += (points.y.back() - points.x.back()) * (points.y.back() - points.x.back());
      lo = std::min({lo, points.x.back(), points.y.back()}), hi = std::max({hi, points.x.back(), points.y.back()});
    }
    const double mse = squared_error / static_cast<double>(rows.size()), margin = std::max(hi - lo, 1e-6) * 0.05;
    lo -= margin, hi += margin;
    viz::Figure figure;
    figure.title = fmt::format("{} on {} ({}), mse {:.4g}", checkpoint, reader.path().filename().string(), split, mse);
    figure.x_label = "true", figure.y_label = "predicted";
    figure.x0 = figure.y0 = lo, figure.x1 = figure.y1 = hi;
    figure.width = figure.height = 800;
    figure.lines.push_back({{lo, hi}, {lo, hi}, 7, true, "predicted = true"});  // grey, dashed
    figure.points.push_back(std::move(points));
    const std::string png = vm["scatter"].as<std::string>();
    viz::plot_figure(png, figure);
    if (!quiet) fmt::print("{}: {} {} rows, predicted against true; mse {:.6g}\n", png, rows.size(), split, mse);
  }
  if (vm.contains("output")) {
    const std::string csv = vm["output"].as<std::string>();
    write_csv(csv, batch, outputs, trained.model->classify(batch.x));
    if (!quiet) fmt::print("{}: {} {} rows, {} outputs each\n", csv, rows.size(), split, outputs.cols());
  }
  return 0;
}

const Registration registration{kSpec, predict_command};

}  // namespace
}  // namespace gibbs::cli
