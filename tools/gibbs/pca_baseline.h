// PCA as the baseline of a model that encodes (Hinton & Salakhutdinov 2006): fitted on the train
// split of the model's dataset, scored or drawn beside the model's codes. Include it last (it
// imports gibbs.plugin through trained_model.h).
#pragma once

#include <cstddef>
#include <optional>

#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.linalg;
import gibbs.plugin;

namespace gibbs::cli {

// The model's codes of rows x, or nothing when the model cannot encode (Model::encode's default
// error, "the <name> model cannot encode"; any other error goes on).
std::optional<Matrix<float>> codes_of(const Model& model, ConstView<float> x);
// Likewise its reconstructions of rows x (Model::reconstruct), or nothing.
std::optional<Matrix<float>> reconstruction_of(const Model& model, ConstView<float> x);

// PCA with `components` directions fitted on every row of the train split of `reader`.
struct TrainPca {
  linalg::Pca pca;
  std::size_t rows = 0;  // of the train split
};
TrainPca fit_train_pca(const io::DatasetReader& reader, const TrainedModel& trained, std::size_t components);

}  // namespace gibbs::cli
