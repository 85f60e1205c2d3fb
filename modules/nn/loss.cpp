// The losses: each row's share in double, added in row order (or kept, for a block of rows), and their
// gradients.
module;
#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
module gibbs.nn;
import gibbs.core;
import gibbs.simd;

namespace gibbs::nn {
namespace {

void check_pair(std::string_view name, ConstView<float> input, ConstView<float> target, ConstView<float> grad) {
  require_shape(name, "target", target.shape(), input.shape());
  if (!grad.empty()) require_shape(name, "grad", grad.shape(), input.shape());
}

// Where each row's share of a loss goes: added up in row order (the whole minibatch's loss),
// or kept row by row (a LossBlock's).
class RowShares {
 public:
  explicit RowShares(std::size_t rows) : minibatch_rows_(rows) {}
  RowShares(std::string_view name, std::size_t rows, LossBlock block)
      : minibatch_rows_(block.minibatch_rows), kept_(block.row_losses) {
    if (kept_.size() != rows) throw ShapeError(fmt::format("{}: row_losses", name), {kept_.size(), 1}, {rows, 1});
    if (minibatch_rows_ < rows)
      throw ArgumentError(fmt::format("{}: a block of {} rows of a minibatch of {}", name, rows, minibatch_rows_));
  }
  std::size_t minibatch_rows() const { return minibatch_rows_; }
  void add(std::size_t row, double share) {
    if (kept_.empty())
      total_ += share;
    else
      kept_[row] = share;
  }
  double total() const { return total_; }

 private:
  std::size_t minibatch_rows_;
  std::span<double> kept_;
  double total_ = 0.0;
};

// Σ over a row's elements of term(x, t), times scale = 1/(minibatch rows · cols), to `shares`;
// and grad = gradient(x, t) · scale where wanted.
template <class Term, class Gradient>
void elementwise_loss(ConstView<float> x, ConstView<float> t, MatrixView<float> grad, RowShares& shares,
                      const Term& term, const Gradient& gradient) {
  if (x.rows() * x.cols() == 0) return;
  const double scale = 1.0 / static_cast<double>(shares.minibatch_rows() * x.cols());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const float* xr = x.row(r).data();
    const float* tr = t.row(r).data();
    double row = 0.0;
    for (std::size_t c = 0; c < x.cols(); ++c) row += term(xr[c], tr[c]);
    shares.add(r, row * scale);
    if (grad.empty()) continue;
    float* g = grad.row(r).data();
    for (std::size_t c = 0; c < x.cols(); ++c) g[c] = static_cast<float>(gradient(xr[c], tr[c]) * scale);
  }
}

// Each row's squared differences in kChains interleaved partial sums (element c goes to sum
// c mod kChains), added in order, then the tail: independent additions instead of one chain
// of them (an autoencoder's loss is 50,000 elements a minibatch), and still a fixed order.
void squared_error(ConstView<float> prediction, ConstView<float> target, MatrixView<float> grad, RowShares& shares) {
  check_pair("mse_loss", prediction, target, grad);
  const std::size_t rows = prediction.rows(), cols = prediction.cols();
  if (rows * cols == 0) return;
  const double scale = 1.0 / static_cast<double>(shares.minibatch_rows() * cols);
  for (std::size_t r = 0; r < rows; ++r)  // grad may be prediction itself
    shares.add(r, scale * simd::squared_error_row(prediction.row(r), target.row(r), scale,
                                                  grad.empty() ? std::span<float>() : grad.row(r)));
}

void cross_entropy(ConstView<float> logits, std::span<const std::int32_t> labels, MatrixView<float> grad,
                   RowShares& shares) {
  if (labels.size() != logits.rows())
    throw ShapeError("softmax_cross_entropy: labels", {labels.size(), 1}, {logits.rows(), 1});
  if (!grad.empty()) require_shape("softmax_cross_entropy", "grad", grad.shape(), logits.shape());
  const std::size_t classes = logits.cols();
  for (std::size_t r = 0; r < labels.size(); ++r)
    if (labels[r] < 0 || static_cast<std::size_t>(labels[r]) >= classes)
      throw ArgumentError(
          fmt::format("softmax_cross_entropy: label {} of row {} is not a class in [0, {})", labels[r], r, classes));
  if (logits.rows() == 0) return;
  const double scale = 1.0 / static_cast<double>(shares.minibatch_rows());
  for (std::size_t r = 0; r < logits.rows(); ++r) {
    const float* z = logits.row(r).data();
    const double m = *std::max_element(z, z + classes);
    double sum = 0.0;
    for (std::size_t c = 0; c < classes; ++c) sum += std::exp(z[c] - m);
    const double log_sum = m + std::log(sum);
    shares.add(r, (log_sum - z[labels[r]]) * scale);
    if (grad.empty()) continue;
    float* g = grad.row(r).data();
    for (std::size_t c = 0; c < classes; ++c) {
      const double p = std::exp(z[c] - log_sum);
      g[c] = static_cast<float>((p - (static_cast<std::size_t>(labels[r]) == c ? 1.0 : 0.0)) * scale);
    }
  }
}

void bernoulli_cross_entropy(ConstView<float> probabilities, ConstView<float> target, MatrixView<float> grad,
                             RowShares& shares) {
  check_pair("binary_cross_entropy", probabilities, target, grad);
  for (std::size_t r = 0; r < probabilities.rows(); ++r)
    for (std::size_t c = 0; c < probabilities.cols(); ++c)
      if (!(probabilities(r, c) >= 0.0f && probabilities(r, c) <= 1.0f))
        throw ArgumentError(fmt::format("binary_cross_entropy: input ({}, {}) = {} is not a probability in [0, 1]", r,
                                        c, probabilities(r, c)));
  elementwise_loss(
      probabilities, target, grad, shares,
      [](float x, float t) {
        const double log_x = std::max(std::log(static_cast<double>(x)), -100.0);
        const double log_1mx = std::max(std::log1p(-static_cast<double>(x)), -100.0);
        return -(t * log_x + (1.0 - t) * log_1mx);
      },
      [](float x, float t) {
        const double xd = x;
        return (xd - t) / std::max(xd * (1.0 - xd), 1e-12);
      });
}

}  // namespace

double mse_loss(ConstView<float> prediction, ConstView<float> target, MatrixView<float> grad) {
  RowShares shares(prediction.rows());
  squared_error(prediction, target, grad, shares);
  return shares.total();
}

void mse_loss(ConstView<float> prediction, ConstView<float> target, MatrixView<float> grad, LossBlock block) {
  RowShares shares("mse_loss", prediction.rows(), block);
  squared_error(prediction, target, grad, shares);
}

double softmax_cross_entropy(ConstView<float> logits, std::span<const std::int32_t> labels, MatrixView<float> grad) {
  RowShares shares(logits.rows());
  cross_entropy(logits, labels, grad, shares);
  return shares.total();
}

void softmax_cross_entropy(ConstView<float> logits, std::span<const std::int32_t> labels, MatrixView<float> grad,
                           LossBlock block) {
  RowShares shares("softmax_cross_entropy", logits.rows(), block);
  cross_entropy(logits, labels, grad, shares);
}

double binary_cross_entropy(ConstView<float> probabilities, ConstView<float> target, MatrixView<float> grad) {
  RowShares shares(probabilities.rows());
  bernoulli_cross_entropy(probabilities, target, grad, shares);
  return shares.total();
}

void binary_cross_entropy(ConstView<float> probabilities, ConstView<float> target, MatrixView<float> grad,
                          LossBlock block) {
  RowShares shares("binary_cross_entropy", probabilities.rows(), block);
  bernoulli_cross_entropy(probabilities, target, grad, shares);
}

double binary_cross_entropy_with_logits(ConstView<float> logits, ConstView<float> target, MatrixView<float> grad) {
  check_pair("binary_cross_entropy_with_logits", logits, target, grad);
  RowShares shares(logits.rows());
  elementwise_loss(
      logits, target, grad, shares,
      [](float z, float t) {
        const double zd = z;
        return std::max(zd, 0.0) - zd * t + std::log1p(std::exp(-std::abs(zd)));
      },
      [](float z, float t) {
        const double zd = z;
        const double sigma = zd >= 0 ? 1.0 / (1.0 + std::exp(-zd)) : std::exp(zd) / (1.0 + std::exp(zd));
        return sigma - t;
      });
  return shares.total();
}

}  // namespace gibbs::nn
