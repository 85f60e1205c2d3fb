// The Layer defaults, the spec tokens, Workspace and the batch shape check.
module;
#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include "modules/simd/kernels/elementwise.h"
module gibbs.nn;
import gibbs.core;
import gibbs.simd;
import gibbs.random;

namespace gibbs::nn {

std::string to_string(const LayerSpec& spec) {
  switch (spec.kind) {
    case LayerKind::kDense: return fmt::format("dense:{}", spec.units);
    case LayerKind::kConv2d: {
      std::string token = fmt::format("conv{}x{}:{}", spec.kernel, spec.kernel, spec.units);
      if (spec.stride != 1) token += fmt::format(":s{}", spec.stride);
      if (spec.padding != 0) token += fmt::format(":p{}", spec.padding);
      return token;
    }
    case LayerKind::kMaxPool2d:
      return spec.stride == spec.kernel ? fmt::format("maxpool{}", spec.kernel)
                                        : fmt::format("maxpool{}:s{}", spec.kernel, spec.stride);
    case LayerKind::kFlatten: return "flatten";
    case LayerKind::kActivation: return std::string(simd::to_string(spec.activation));
    case LayerKind::kSign: return "sign";
    case LayerKind::kSoftmax: return "softmax";
  }
  return "?";
}

void Layer::forward_fused(ConstView<float> input, MatrixView<float> output, simd::Activation activation) {
  forward(input, output);
  if (activation != simd::Activation::kIdentity) simd::activate(activation, output, output);
}

void Layer::bind_gradients(std::span<float> storage) {
  if (!storage.empty()) throw ArgumentError(to_string(spec()) + ": has no gradients to bind");
}

WeightBiasGradients::WeightBiasGradients(Shape weight, std::size_t biases)
    : own_(weight.rows * weight.cols + biases, 1),
      weight_(nullptr, weight.rows, weight.cols),
      bias_(nullptr, 1, biases) {
  place(own_.data());
}

WeightBiasGradients::WeightBiasGradients(const WeightBiasGradients& other)
    : own_(other.size(), 1), weight_(other.weight_), bias_(other.bias_) {
  std::ranges::copy(other.values(), own_.data());
  place(own_.data());
}

WeightBiasGradients& WeightBiasGradients::operator=(const WeightBiasGradients& other) {
  if (this != &other) *this = WeightBiasGradients(other);
  return *this;
}

void WeightBiasGradients::place(float* at) {
  weight_ = {at, weight_.rows(), weight_.cols()};
  bias_ = {at + weight_.rows() * weight_.cols(), 1, bias_.cols()};
}

void WeightBiasGradients::bind(std::span<float> storage, std::string_view layer) {
  if (storage.size() != size())
    throw ArgumentError(fmt::format("{}: gradients take {} floats, not {}", layer, size(), storage.size()));
  place(storage.data());
}

void WeightBiasGradients::zero() { std::ranges::fill(values(), 0.0f); }

void fill_uniform(random::Stream stream, std::uint64_t offset, MatrixView<float> m, float bound) {
  random::uniform(stream, offset, m);
  for (std::size_t r = 0; r < m.rows(); ++r)
    for (float& v : m.row(r)) v = bound * (2.0f * v - 1.0f);
}

void for_rows(std::size_t rows, std::size_t work_per_row, RangeBody body) {
  constexpr std::size_t kSerialWork = std::size_t{1} << 15;  // below this, the calling thread does it all
  constexpr std::size_t kTaskWork = std::size_t{1} << 14;    // about this much per task
  if (rows == 0) return;
  const std::size_t work = rows * std::max<std::size_t>(work_per_row, 1);
  if (work < kSerialWork || thread_count() <= 1) return body(0, rows);
  const std::size_t grain = std::max<std::size_t>(1, kTaskWork / std::max<std::size_t>(work_per_row, 1));
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, rows, grain),
                    [&](const tbb::blocked_range<std::size_t>& r) { body(r.begin(), r.end()); });
}

bool Layer::backward_fused(ConstView<float>, ConstView<float>, ConstView<float>, simd::Activation, MatrixView<float>) {
  return false;
}

void activation_backward(simd::Activation activation, const float* y, const float* dy, float* dx, std::size_t n) {
  kernels::ActivationBackward(activation, y, dy, dx, n);
}

MatrixView<float> Workspace::view(std::size_t rows, std::size_t cols) {
  if (rows * cols > storage_.size()) storage_ = Matrix<float>(rows * cols, 1);
  return {storage_.data(), rows, cols};
}

void require_shape(std::string_view owner, std::string_view what, Shape actual, Shape expected) {
  if (actual != expected) throw ShapeError(fmt::format("{}: {}", owner, what), actual, expected);
}

void check_batch(std::string_view layer, ConstView<float> input, std::size_t in, ConstView<float> output,
                 std::size_t out) {
  require_shape(layer, "input", input.shape(), {input.rows(), in});
  require_shape(layer, "output", output.shape(), {input.rows(), out});
}

}  // namespace gibbs::nn
