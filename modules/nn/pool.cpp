// MaxPool2d: the window scan shared by forward and backward, parallel over samples; 2×2
// windows with stride 2 (the common case) have their own Highway kernels, forward and backward,
// over a sample's planes.
module;
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include "modules/nn/kernels/pooling.h"
module gibbs.nn;
import gibbs.core;

namespace gibbs::nn {
namespace {

// Whether v replaces best as a window's pick: larger, or NaN over a number (PyTorch's rule).
// Bitwise &, not &&: no branch.
inline bool replaces(float v, float best) { return !(v <= best) & (best == best); }

}  // namespace

MaxPool2d::MaxPool2d(SampleShape input, std::size_t kernel, std::size_t stride)
    : in_(input), kernel_(kernel), stride_(stride == 0 ? kernel : stride) {
  if (kernel == 0 || input.size() == 0)
    throw ArgumentError("maxpool: the kernel and the input's size must be positive");
  if (input.height < kernel || input.width < kernel)
    throw ArgumentError("maxpool: a " + std::to_string(kernel) + "x" + std::to_string(kernel) +
                        " window does not fit the input " + to_string(input));
  out_ = {in_.channels, (in_.height - kernel) / stride_ + 1, (in_.width - kernel) / stride_ + 1};
}

LayerSpec MaxPool2d::spec() const { return {.kind = LayerKind::kMaxPool2d, .kernel = kernel_, .stride = stride_}; }

SampleShape MaxPool2d::output_shape(SampleShape input) const {
  if (input != in_) throw ArgumentError("maxpool: built for input " + to_string(in_) + ", got " + to_string(input));
  return out_;
}

std::size_t MaxPool2d::pick(const float* x, std::size_t c, std::size_t oy, std::size_t ox) const {
  std::size_t best = (c * in_.height + oy * stride_) * in_.width + ox * stride_;
  for (std::size_t ky = 0; ky < kernel_; ++ky) {
    const std::size_t row = (c * in_.height + oy * stride_ + ky) * in_.width + ox * stride_;
    for (std::size_t kx = 0; kx < kernel_; ++kx)
      if (replaces(x[row + kx], x[best])) best = row + kx;
  }
  return best;
}

void MaxPool2d::forward(ConstView<float> input, MatrixView<float> output) {
  check_batch("maxpool", input, in_.size(), output, out_.size());
  const std::size_t plane = in_.height * in_.width;
  for_rows(input.rows(), in_.size(), [&](std::size_t n0, std::size_t n1) {
    for (std::size_t n = n0; n < n1; ++n) {
      const float* x = input.row(n).data();
      float* y = output.row(n).data();
      if (has_picks()) {
        kernels::MaxPool2x2(x, in_.channels, plane, in_.height, in_.width, y);
        continue;
      }
      for (std::size_t c = 0; c < out_.channels; ++c)
        for (std::size_t oy = 0; oy < out_.height; ++oy)
          for (std::size_t ox = 0; ox < out_.width; ++ox) *y++ = x[pick(x, c, oy, ox)];
    }
  });
}

void MaxPool2d::backward(ConstView<float> input, ConstView<float> output, ConstView<float> grad_output,
                         MatrixView<float> grad_input) {
  check_batch("maxpool", input, in_.size(), grad_output, out_.size());
  if (grad_input.empty()) return;
  require_shape("maxpool", "grad_input", grad_input.shape(), input.shape());
  if (!output.empty()) require_shape("maxpool", "output", output.shape(), grad_output.shape());
  for_rows(input.rows(), in_.size(), [&](std::size_t n0, std::size_t n1) {
    for (std::size_t n = n0; n < n1; ++n) {
      const float* x = input.row(n).data();
      const float* dy = grad_output.row(n).data();
      float* dx = grad_input.row(n).data();
      if (!has_picks() || output.empty()) {
        std::fill_n(dx, in_.size(), 0.0f);
        for (std::size_t c = 0; c < out_.channels; ++c)
          for (std::size_t oy = 0; oy < out_.height; ++oy)
            for (std::size_t ox = 0; ox < out_.width; ++ox) dx[pick(x, c, oy, ox)] += *dy++;
        continue;
      }
      // Each window's gradient to its pick, found from the forward's output (the first input
      // equal to it, or the first NaN when it is NaN), and zeros around it.
      kernels::MaxPool2x2Backward(x, output.row(n).data(), dy, in_.channels, in_.height, in_.width, dx);
    }
  });
}

void MaxPool2d::forward_blocks(ConstView<float> blocks, MatrixView<float> output, std::span<std::uint8_t> picks,
                               std::size_t begin, std::size_t end) const {
  check_blocks(blocks, output.rows(), begin, end);
  require_shape("maxpool", "output", output.shape(), {output.rows(), out_.size()});
  check_picks(picks.size(), output.rows());
  const std::size_t plane = in_.height * in_.width;
  for (std::size_t n = begin; n < end; ++n)
    kernels::MaxPool2x2(blocks.data() + (n - begin) * plane, in_.channels, blocks.stride(), in_.height, in_.width,
                        output.row(n).data(), picks.data() + n * picks_per_sample());
}

void MaxPool2d::backward_blocks(std::span<const std::uint8_t> picks, ConstView<float> grad_output,
                                MatrixView<float> grad_blocks, std::size_t begin, std::size_t end) const {
  check_blocks(grad_blocks, grad_output.rows(), begin, end);
  require_shape("maxpool", "grad_output", grad_output.shape(), {grad_output.rows(), out_.size()});
  check_picks(picks.size(), grad_output.rows());
  const std::size_t plane = in_.height * in_.width;
  for (std::size_t n = begin; n < end; ++n)
    kernels::MaxPool2x2PicksBackward(picks.data() + n * picks_per_sample(), grad_output.row(n).data(), in_.channels,
                                     in_.height, in_.width, grad_blocks.data() + (n - begin) * plane,
                                     grad_blocks.stride());
}

std::size_t MaxPool2d::picks_per_sample() const {
  return out_.channels * out_.height * kernels::PicksPerRow(out_.width);
}

void MaxPool2d::check_blocks(ConstView<float> blocks, std::size_t batch, std::size_t begin, std::size_t end) const {
  if (begin > end || end > batch)
    throw ArgumentError("maxpool: samples [" + std::to_string(begin) + ", " + std::to_string(end) + ") of " +
                        std::to_string(batch));
  require_shape("maxpool", "blocks", blocks.shape(), {in_.channels, (end - begin) * in_.height * in_.width});
}

void MaxPool2d::check_picks(std::size_t picks, std::size_t batch) const {
  if (!has_picks()) throw ArgumentError("maxpool: picks are kept for 2x2 windows with stride 2 only");
  if (picks != batch * picks_per_sample())
    throw ArgumentError("maxpool: " + std::to_string(picks) + " bytes of picks for " + std::to_string(batch) +
                        " samples of " + std::to_string(picks_per_sample()));
}

}  // namespace gibbs::nn
