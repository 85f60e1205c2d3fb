// ActivationLayer and Flatten: forward on the elementwise kernels, backward from the output.
module;
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
module gibbs.nn;
import gibbs.core;
import gibbs.simd;

namespace gibbs::nn {
namespace {

void copy_rows(ConstView<float> from, MatrixView<float> to) {
  for_rows(from.rows(), from.cols(), [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) std::ranges::copy(from.row(r), to.row(r).begin());
  });
}

// dx from dy and y, one row at a time: backward(y, dy, dx, n).
template <class RowBackward>
void rows_backward(ConstView<float> output, ConstView<float> grad_output, MatrixView<float> grad_input,
                   const RowBackward& backward) {
  for_rows(output.rows(), output.cols(), [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r)
      backward(output.row(r).data(), grad_output.row(r).data(), grad_input.row(r).data(), output.cols());
  });
}

void softmax_row(const float* x, float* y, std::size_t n) {
  const float m = *std::max_element(x, x + n);
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] - m;
  simd::exp(std::span<const float>(y, n), std::span<float>(y, n));
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += y[i];
  const auto s = static_cast<float>(sum);
  for (std::size_t i = 0; i < n; ++i) y[i] /= s;
}

bool is_activation(LayerKind kind) {
  return kind == LayerKind::kActivation || kind == LayerKind::kSign || kind == LayerKind::kSoftmax;
}

}  // namespace

ActivationLayer::ActivationLayer(const LayerSpec& spec)
    : spec_{.kind = spec.kind, .activation = spec.activation}, name_(to_string(spec_)) {
  if (!is_activation(spec.kind)) throw ArgumentError("activation layer: " + name_ + " is not an activation");
}

// Identity passes through: a Network never runs it, and has nothing to fuse.
std::optional<simd::Activation> ActivationLayer::epilogue() const {
  if (spec_.kind != LayerKind::kActivation || spec_.activation == simd::Activation::kIdentity) return std::nullopt;
  return spec_.activation;
}

void ActivationLayer::forward(ConstView<float> input, MatrixView<float> output) {
  require_shape(name_, "output", output.shape(), input.shape());
  switch (spec_.kind) {
    case LayerKind::kActivation: return simd::activate(spec_.activation, input, output);
    case LayerKind::kSign:
      return for_rows(input.rows(), input.cols(), [&](std::size_t r0, std::size_t r1) {
        for (std::size_t r = r0; r < r1; ++r) {
          const float* x = input.row(r).data();
          float* y = output.row(r).data();
          for (std::size_t i = 0; i < input.cols(); ++i) y[i] = std::isnan(x[i]) ? x[i] : x[i] >= 0.0f ? 1.0f : -1.0f;
        }
      });
    case LayerKind::kSoftmax:
      if (input.cols() == 0) return;
      return for_rows(input.rows(), input.cols(), [&](std::size_t r0, std::size_t r1) {
        for (std::size_t r = r0; r < r1; ++r) softmax_row(input.row(r).data(), output.row(r).data(), input.cols());
      });
    default: return;
  }
}

void ActivationLayer::backward(ConstView<float>, ConstView<float> output, ConstView<float> grad_output,
                               MatrixView<float> grad_input) {
  require_shape(name_, "grad_output", grad_output.shape(), output.shape());
  if (grad_input.empty()) return;
  require_shape(name_, "grad_input", grad_input.shape(), output.shape());
  switch (spec_.kind) {
    case LayerKind::kActivation:
      return rows_backward(output, grad_output, grad_input,
                           [&](const float* y, const float* dy, float* dx, std::size_t n) {
                             activation_backward(spec_.activation, y, dy, dx, n);
                           });
    case LayerKind::kSign: return copy_rows(grad_output, grad_input);
    case LayerKind::kSoftmax:
      return rows_backward(output, grad_output, grad_input,
                           [](const float* y, const float* dy, float* dx, std::size_t n) {
                             double dot = 0.0;
                             for (std::size_t i = 0; i < n; ++i) dot += static_cast<double>(dy[i]) * y[i];
                             const auto s = static_cast<float>(dot);
                             for (std::size_t i = 0; i < n; ++i) dx[i] = y[i] * (dy[i] - s);
                           });
    default: return;
  }
}

void Flatten::forward(ConstView<float> input, MatrixView<float> output) {
  require_shape("flatten", "output", output.shape(), input.shape());
  copy_rows(input, output);
}

void Flatten::backward(ConstView<float>, ConstView<float>, ConstView<float> grad_output, MatrixView<float> grad_input) {
  if (grad_input.empty()) return;
  require_shape("flatten", "grad_input", grad_input.shape(), grad_output.shape());
  copy_rows(grad_output, grad_input);
}

}  // namespace gibbs::nn
