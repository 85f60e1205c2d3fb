// The losses: per-row sums in double, in row order, and their gradients.
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

// Σ over elements of term(x, t), and grad = gradient(x, t) · scale where wanted; row by row.
template <class Term, class Gradient>
double elementwise_loss(ConstView<float> x, ConstView<float> t, MatrixView<float> grad, const Term& term,
                        const Gradient& gradient) {
  const std::size_t n = x.rows() * x.cols();
  if (n == 0) return 0.0;
  const double scale = 1.0 / static_cast<double>(n);
  double total = 0.0;
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const float* xr = x.row(r).data();
    const float* tr = t.row(r).data();
    double row = 0.0;
    for (std::size_t c = 0; c < x.cols(); ++c) row += term(xr[c], tr[c]);
    total += row;
    if (grad.empty()) continue;
    float* g = grad.row(r).data();
    for (std::size_t c = 0; c < x.cols(); ++c) g[c] = static_cast<float>(gradient(xr[c], tr[c]) * scale);
  }
  return total * scale;
}

}  // namespace

// Each row's squared differences in kChains interleaved partial sums (element c goes to sum
// c mod kChains), added in order, then the tail: independent additions instead of one chain
// of them (an autoencoder's loss is 50,000 elements a minibatch), and still a fixed order.
double mse_loss(ConstView<float> prediction, ConstView<float> target, MatrixView<float> grad) {
  check_pair("mse_loss", prediction, target, grad);
  const std::size_t rows = prediction.rows(), cols = prediction.cols();
  if (rows * cols == 0) return 0.0;
  const double scale = 1.0 / static_cast<double>(rows * cols);
  double total = 0.0;
  for (std::size_t r = 0; r < rows; ++r)  // grad may be prediction itself
    total += simd::squared_error_row(prediction.row(r), target.row(r), scale,
                                     grad.empty() ? std::span<float>() : grad.row(r));
  return total * scale;
}

double softmax_cross_entropy(ConstView<float> logits, std::span<const std::int32_t> labels, MatrixView<float> grad) {
  if (labels.size() != logits.rows())
    throw ShapeError("softmax_cross_entropy: labels", {labels.size(), 1}, {logits.rows(), 1});
  if (!grad.empty()) require_shape("softmax_cross_entropy", "grad", grad.shape(), logits.shape());
  const std::size_t classes = logits.cols();
  for (std::size_t r = 0; r < labels.size(); ++r)
    if (labels[r] < 0 || static_cast<std::size_t>(labels[r]) >= classes)
      throw ArgumentError(
          fmt::format("softmax_cross_entropy: label {} of row {} is not a class in [0, {})", labels[r], r, classes));
  if (logits.rows() == 0) return 0.0;
  const double scale = 1.0 / static_cast<double>(logits.rows());
  double total = 0.0;
  for (std::size_t r = 0; r < logits.rows(); ++r) {
    const float* z = logits.row(r).data();
    const double m = *std::max_element(z, z + classes);
    double sum = 0.0;
    for (std::size_t c = 0; c < classes; ++c) sum += std::exp(z[c] - m);
    const double log_sum = m + std::log(sum);
    total += log_sum - z[labels[r]];
    if (grad.empty()) continue;
    float* g = grad.row(r).data();
    for (std::size_t c = 0; c < classes; ++c) {
      const double p = std::exp(z[c] - log_sum);
      g[c] = static_cast<float>((p - (static_cast<std::size_t>(labels[r]) == c ? 1.0 : 0.0)) * scale);
    }
  }
  return total * scale;
}

double binary_cross_entropy(ConstView<float> probabilities, ConstView<float> target, MatrixView<float> grad) {
  check_pair("binary_cross_entropy", probabilities, target, grad);
  for (std::size_t r = 0; r < probabilities.rows(); ++r)
    for (std::size_t c = 0; c < probabilities.cols(); ++c)
      if (!(probabilities(r, c) >= 0.0f && probabilities(r, c) <= 1.0f))
        throw ArgumentError(fmt::format("binary_cross_entropy: input ({}, {}) = {} is not a probability in [0, 1]", r,
                                        c, probabilities(r, c)));
  return elementwise_loss(
      probabilities, target, grad,
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

double binary_cross_entropy_with_logits(ConstView<float> logits, ConstView<float> target, MatrixView<float> grad) {
  check_pair("binary_cross_entropy_with_logits", logits, target, grad);
  return elementwise_loss(
      logits, target, grad,
      [](float z, float t) {
        const double zd = z;
        return std::max(zd, 0.0) - zd * t + std::log1p(std::exp(-std::abs(zd)));
      },
      [](float z, float t) {
        const double zd = z;
        const double sigma = zd >= 0 ? 1.0 / (1.0 + std::exp(-zd)) : std::exp(zd) / (1.0 + std::exp(zd));
        return sigma - t;
      });
}

}  // namespace gibbs::nn
