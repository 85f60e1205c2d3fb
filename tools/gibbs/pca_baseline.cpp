// PCA on the train split; a model that cannot encode (or reconstruct) told from one that failed to.
#include "tools/gibbs/pca_baseline.h"

#include <fmt/format.h>

#include <cstddef>
#include <numeric>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

namespace gibbs::cli {
namespace {

// f(), or nothing when it throws Model's default error for `what`: a plain Error, "the <name> model
// cannot <what>" (any other error goes on).
template <class F>
std::optional<Matrix<float>> unless_unsupported(const Model& model, const char* what, const F& f) {
  try {
    return f();
  } catch (const Error& e) {
    if (typeid(e) != typeid(Error) || e.what() != fmt::format("the {} model cannot {}", model.name(), what)) throw;
    return std::nullopt;
  }
}

}  // namespace

std::optional<Matrix<float>> codes_of(const Model& model, ConstView<float> x) {
  return unless_unsupported(model, "encode", [&] { return model.encode(x); });
}

std::optional<Matrix<float>> reconstruction_of(const Model& model, ConstView<float> x) {
  return unless_unsupported(model, "reconstruct", [&] { return model.reconstruct(x); });
}

TrainPca fit_train_pca(const io::DatasetReader& reader, const TrainedModel& trained, std::size_t components) {
  std::vector<std::size_t> rows(reader.split("train").rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const io::Batch train = read_rows(reader, "train", rows, trained);
  return {linalg::fit_pca(train.x, components), rows.size()};
}

}  // namespace gibbs::cli
