// PCA on the train split, and telling a model that cannot encode from one whose encoding failed.
#include "tools/gibbs/pca_baseline.h"

#include <fmt/format.h>

#include <cstddef>
#include <numeric>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

namespace gibbs::cli {

std::optional<Matrix<float>> codes_of(const Model& model, ConstView<float> x) {
  try {
    return model.encode(x);
  } catch (const Error& e) {
    // Model's default: a plain Error, "the <name> model cannot encode".
    if (typeid(e) != typeid(Error) || e.what() != fmt::format("the {} model cannot encode", model.name())) throw;
    return std::nullopt;
  }
}

TrainPca fit_train_pca(const io::DatasetReader& reader, const TrainedModel& trained, std::size_t components) {
  std::vector<std::size_t> rows(reader.split("train").rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const io::Batch train = read_rows(reader, "train", rows, trained);
  return {linalg::fit_pca(train.x, components), rows.size()};
}

}  // namespace gibbs::cli
