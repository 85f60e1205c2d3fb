// `gibbs inspect CKPT --codes PNG`: the 2-D codes a model gives the test split, coloured by class,
// beside the same rows on the first two principal components of the train split (Hinton &
// Salakhutdinov 2006, Figure 3: the autoencoder's codes against PCA's).
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "tools/gibbs/inspect.h"
#include "tools/gibbs/pca_baseline.h"
import gibbs.core;
import gibbs.io;
import gibbs.linalg;
import gibbs.plugin;
import gibbs.viz;

namespace fs = std::filesystem;

namespace gibbs::cli {
namespace {

// A scatter panel of 2-D points, one colour per class (one colour, no legend, without labels).
viz::Figure scatter(ConstView<float> points, const io::Batch& batch, const std::vector<std::string>& classes,
                    std::string title, const std::string& axis) {
  viz::Figure f;
  f.title = std::move(title);
  f.x_label = axis + " 1", f.y_label = axis + " 2";
  f.legend = viz::Legend::outside;
  std::vector<viz::Points> groups;
  for (std::size_t r = 0; r < points.rows(); ++r) {
    const auto k = batch.y.empty() ? std::size_t{0} : static_cast<std::size_t>(batch.y[r]);
    if (k >= groups.size()) groups.resize(k + 1);
    groups[k].x.push_back(points(r, 0));
    groups[k].y.push_back(points(r, 1));
  }
  double lo[2] = {0, 0}, hi[2] = {1, 1};
  for (std::size_t d = 0; d < 2 && points.rows() > 0; ++d) {
    lo[d] = hi[d] = points(0, d);
    for (std::size_t r = 0; r < points.rows(); ++r)
      lo[d] = std::min<double>(lo[d], points(r, d)), hi[d] = std::max<double>(hi[d], points(r, d));
    const double margin = hi[d] > lo[d] ? (hi[d] - lo[d]) * 0.05 : 1;
    lo[d] -= margin, hi[d] += margin;
  }
  f.x0 = lo[0], f.x1 = hi[0], f.y0 = lo[1], f.y1 = hi[1];
  for (std::size_t k = 0; k < groups.size(); ++k) {
    if (groups[k].x.empty()) continue;
    groups[k].colour = static_cast<int>(k);
    groups[k].marker = viz::Marker::dot;
    groups[k].size = points.rows() > 2000 ? 0.6 : 1.2;
    if (!batch.y.empty()) groups[k].label = k < classes.size() ? classes[k] : std::to_string(k);
    f.points.push_back(std::move(groups[k]));
  }
  return f;
}

}  // namespace

void write_codes(const fs::path& checkpoint, const fs::path& png, const std::string& data) {
  const TrainedModel trained = load_trained_model(checkpoint);
  const io::DatasetReader reader(dataset_of(trained, data));
  const std::string split = split_of(reader, "");
  std::vector<std::size_t> rows(reader.split(split).rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const io::Batch batch = read_rows(reader, split, rows, trained);
  const std::optional<Matrix<float>> codes = codes_of(*trained.model, batch.x);
  if (!codes)
    throw ArgumentError(fmt::format("inspect: --codes draws a model's codes, and the {} model in {} cannot encode",
                                    trained.checkpoint.model, checkpoint.string()));
  if (codes->cols() != 2)
    throw ArgumentError(fmt::format(
        "inspect: --codes draws codes of 2 values, and the {} model in {} gives {} (train one with a code of 2, "
        "e.g. --layers ...,2)",
        trained.checkpoint.model, checkpoint.string(), codes->cols()));
  const TrainPca fitted = fit_train_pca(reader, trained, 2);
  const Matrix<float> projected = fitted.pca.project(batch.x);

  const std::vector<std::string>& classes = reader.info().classes;
  const std::string rows_drawn = fmt::format("{} {} rows", rows.size(), split);
  const viz::Figure panels[] = {
      scatter(*codes, batch, classes, fmt::format("{}: {}", checkpoint.filename().string(), rows_drawn), "code"),
      scatter(projected, batch, classes, fmt::format("PCA (fitted on train): {}", rows_drawn), "component"),
  };
  viz::plot_figures(png, panels, 1600, 800);
  fmt::print("{}: the codes of {} {} rows under {}, beside their first two principal components\n", png.string(),
             rows.size(), split, checkpoint.string());
}

}  // namespace gibbs::cli
