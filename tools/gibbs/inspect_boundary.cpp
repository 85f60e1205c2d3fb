// `gibbs inspect CKPT --boundary PNG`: a two-input classifier's training inputs, coloured by
// label, and its decision boundary: the line where the class the model gives (Model::classify,
// any plugin's) changes, contoured from a fine grid at 1/2 between the classes 0 and 1.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "tools/gibbs/inspect.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.viz;

namespace fs = std::filesystem;

namespace gibbs::cli {

void write_boundary(const fs::path& checkpoint, const fs::path& png, const std::string& data) {
  const TrainedModel trained = load_trained_model(checkpoint);
  const std::size_t inputs = trained.model->input_size();
  if (inputs != 2)
    throw ArgumentError(fmt::format("inspect: --boundary draws models with 2 inputs; the {} model in {} takes {}",
                                    trained.checkpoint.model, checkpoint.string(), inputs));
  const io::DatasetReader reader(dataset_of(trained, data));
  std::vector<std::size_t> rows(reader.split("train").rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const io::Batch train = read_rows(reader, "train", rows, trained);

  // The window: the inputs' range with half of it again on each side (±1.5 for ±1 inputs).
  float lo[2] = {-1, -1}, hi[2] = {1, 1};
  for (std::size_t d = 0; d < 2 && train.x.rows() > 0; ++d) {
    lo[d] = hi[d] = train.x(0, d);
    for (std::size_t r = 0; r < train.x.rows(); ++r)
      lo[d] = std::min(lo[d], train.x(r, d)), hi[d] = std::max(hi[d], train.x(r, d));
    const float margin = hi[d] > lo[d] ? (hi[d] - lo[d]) / 4 : 1;
    lo[d] -= margin, hi[d] += margin;
  }
  viz::Figure f;
  f.title = fmt::format("decision boundary of {}", checkpoint.filename().string());
  f.x_label = "x1", f.y_label = "x2";
  f.x0 = lo[0], f.x1 = hi[0], f.y0 = lo[1], f.y1 = hi[1];
  f.width = 800, f.height = 800;

  constexpr std::size_t kGrid = 401;  // nodes a side: the line is placed to within 1/800 of the window
  Matrix<float> grid(kGrid * kGrid, 2);
  for (std::size_t j = 0; j < kGrid; ++j)
    for (std::size_t i = 0; i < kGrid; ++i) {
      grid(j * kGrid + i, 0) = lo[0] + (hi[0] - lo[0]) * static_cast<float>(i) / (kGrid - 1);
      grid(j * kGrid + i, 1) = lo[1] + (hi[1] - lo[1]) * static_cast<float>(j) / (kGrid - 1);
    }
  const std::vector<std::int32_t> classes = trained.model->classify(grid);
  if (classes.size() != grid.rows())
    throw ArgumentError(fmt::format("inspect: the {} model does not classify, so it has no decision boundary",
                                    trained.checkpoint.model));
  viz::Contour contour{kGrid, kGrid, std::vector<double>(classes.begin(), classes.end()), 0.5, 3, "decision boundary"};
  f.contour = contour;

  const std::vector<std::string> names = reader.info().classes;
  std::vector<viz::Points> points(std::max<std::size_t>(2, names.size()));
  for (std::size_t k = 0; k < points.size(); ++k)
    points[k] = {{}, {}, static_cast<int>(k), fmt::format("label {}", k < names.size() ? names[k] : std::to_string(k))};
  for (std::size_t r = 0; r < train.x.rows(); ++r) {
    const auto k = train.y.empty() ? std::size_t{0} : static_cast<std::size_t>(train.y[r]);
    if (k >= points.size()) points.resize(k + 1);
    points[k].x.push_back(train.x(r, 0));
    points[k].y.push_back(train.x(r, 1));
  }
  for (viz::Points& p : points)
    if (!p.x.empty()) f.points.push_back(std::move(p));
  viz::plot_figure(png, f);
  fmt::print("{}: {} training inputs and the decision boundary of {}\n", png.string(), train.x.rows(),
             checkpoint.string());
}

}  // namespace gibbs::cli
