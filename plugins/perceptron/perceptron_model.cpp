// The perceptron plugin's model: options → settings, params ↔ checkpoint, the rule per minibatch.
#include "plugins/perceptron/perceptron_model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
import gibbs.core;
import gibbs.io;
import gibbs.nn;
import gibbs.plugin;
import gibbs.random;

namespace gibbs::perceptron {
namespace {

// A label's target: class 0 is −1, class 1 is +1 (the ±1 encoding of the notebook).
float target(std::int32_t label) { return label == 1 ? 1.0f : -1.0f; }

void check_labels(const Examples& examples) {
  if (examples.y.size() != examples.x.rows())
    throw ArgumentError("the perceptron needs class labels (a dataset with y, two classes)");
  for (const std::int32_t y : examples.y)
    if (y != 0 && y != 1)
      throw ArgumentError(fmt::format("the perceptron needs labels 0 and 1 (two classes), got {}", y));
}

}  // namespace

void PerceptronModel::initialize(const Config& config, const io::DatasetInfo& info, const Examples& train,
                                 const Setup& setup) {
  const PerceptronOptions o = read_options<PerceptronOptions>(config);
  if (info.classes.size() != 2)
    throw ArgumentError(
        fmt::format("the perceptron needs a dataset with two classes (this one has {})", info.classes.size()));
  check_labels(train);
  learning_rate_ = static_cast<float>(o.lr);
  weights_.assign(train.x.cols(), 0.0f);
  bias_ = 0;
  if (o.init == "zero") return;
  float sigma = 0;
  const std::string_view text = std::string_view(o.init).substr(std::min<std::size_t>(o.init.size(), 7));
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), sigma);
  if (!o.init.starts_with("normal:") || ec != std::errc() || end != text.data() + text.size() || !(sigma >= 0) ||
      !std::isfinite(sigma))
    throw option_error("init", "must be zero or normal:SIGMA (SIGMA ≥ 0)", fmt::format("'{}'", o.init));
  std::vector<float> drawn(weights_.size() + 1);  // the weights, then the bias
  random::normal(random::streams::model_init(setup.seed), 0, drawn, 0.0f, sigma);
  std::copy_n(drawn.begin(), weights_.size(), weights_.begin());
  bias_ = drawn.back();
}

std::vector<io::TensorSlot> PerceptronModel::tensors() {
  return {io::tensor_slot("params", kWeight, MatrixView<float>(weights_.data(), weights_.size(), 1)),
          io::tensor_slot("params", kBias, std::span<float>(&bias_, 1))};
}

void PerceptronModel::restore(const io::Checkpoint& checkpoint, const Setup&) {
  learning_rate_ = static_cast<float>(read_options<PerceptronOptions>(checkpoint.config).lr);
  const auto w = checkpoint.params.find(kWeight);
  if (w == checkpoint.params.end() || w->second.shape.size() != 2 || w->second.shape[1] != 1 || w->second.shape[0] == 0)
    throw ArgumentError(fmt::format("the checkpoint has no /params/{} [inputs, 1]", kWeight));
  weights_.assign(w->second.shape[0], 0.0f);
  io::restore_tensors(tensors(), checkpoint);
}

void PerceptronModel::save(io::Checkpoint& checkpoint) const {
  // The one list of tensors serves both directions; saving only reads through it.
  io::save_tensors(const_cast<PerceptronModel*>(this)->tensors(), checkpoint);
}

double PerceptronModel::train_batch(const Examples& batch, std::uint64_t) {
  check_labels(batch);
  const std::size_t wrong = nn::perceptron_batch_update(weights_, bias_, batch.x, targets_of(batch), learning_rate_);
  return 4.0 * static_cast<double>(wrong) / static_cast<double>(batch.x.rows());  // the batch's ECM before the update
}

double PerceptronModel::shard_gradient(const Examples& rows, const Shard& shard, std::uint64_t,
                                       std::span<float> gradient) {
  check_labels(rows);
  const std::size_t wrong =
      nn::perceptron_batch_sums(weights_, bias_, rows.x, targets_of(rows), learning_rate_, gradient);
  return 4.0 * static_cast<double>(wrong) / static_cast<double>(shard.batch_rows);
}

void PerceptronModel::apply_gradient(std::span<float> gradient, std::size_t, std::uint64_t) {
  for (std::size_t i = 0; i < weights_.size(); ++i) weights_[i] += gradient[i];
  bias_ += gradient.back();
}

std::span<const float> PerceptronModel::targets_of(const Examples& examples) {
  targets_.clear();
  for (const std::int32_t y : examples.y) targets_.push_back(target(y));
  return targets_;
}

float PerceptronModel::output(std::span<const float> x) const {
  return nn::perceptron_sign(nn::perceptron_net(weights_, bias_, x));
}

Metrics PerceptronModel::evaluate(const Examples& examples, std::uint64_t) const {
  check_labels(examples);
  if (examples.x.cols() != weights_.size())
    throw ShapeError("evaluate: rows of one value per input", examples.x.shape(), {examples.x.rows(), weights_.size()});
  double squares = 0;
  std::size_t right = 0;
  for (std::size_t r = 0; r < examples.x.rows(); ++r) {
    const float e = target(examples.y[r]) - output(examples.x.row(r));
    squares += static_cast<double>(e) * e;
    right += e == 0;
  }
  const auto rows = static_cast<double>(std::max<std::size_t>(1, examples.x.rows()));
  return {{"error", squares / rows}, {"accuracy", static_cast<double>(right) / rows}};
}

bool PerceptronModel::finished(const Metrics& train) const {
  for (const Metric& m : train)
    if (m.name == "error") return m.value == 0;
  return false;
}

Matrix<float> PerceptronModel::predict(ConstView<float> x) const {
  if (x.cols() != weights_.size())
    throw ShapeError("predict: rows of one value per input", x.shape(), {x.rows(), weights_.size()});
  Matrix<float> out(x.rows(), 1);
  for (std::size_t r = 0; r < x.rows(); ++r) out(r, 0) = output(x.row(r));
  return out;
}

std::vector<std::int32_t> PerceptronModel::classify(ConstView<float> x) const {
  const Matrix<float> y = predict(x);
  std::vector<std::int32_t> labels(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) labels[r] = y(r, 0) > 0 ? 1 : 0;
  return labels;
}

}  // namespace gibbs::perceptron
