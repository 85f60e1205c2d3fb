// MaxPool2d: the window scan shared by forward and backward, parallel over samples.
module;
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
module gibbs.nn;
import gibbs.core;

namespace gibbs::nn {

MaxPool2d::MaxPool2d(SampleShape input, std::size_t kernel, std::size_t stride)
    : in_(input), kernel_(kernel), stride_(stride == 0 ? kernel : stride) {
  if (kernel == 0 || input.size() == 0) throw ArgumentError("maxpool: the kernel and the input's size must be positive");
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
    for (std::size_t kx = 0; kx < kernel_; ++kx) {
      const float v = x[row + kx];
      if (v > x[best] || (std::isnan(v) && !std::isnan(x[best]))) best = row + kx;
    }
  }
  return best;
}

void MaxPool2d::forward(ConstView<float> input, MatrixView<float> output) {
  check_batch("maxpool", input, in_.size(), output, out_.size());
  for_rows(input.rows(), in_.size(), [&](std::size_t n0, std::size_t n1) {
    for (std::size_t n = n0; n < n1; ++n) {
      const float* x = input.row(n).data();
      float* y = output.row(n).data();
      for (std::size_t c = 0; c < out_.channels; ++c)
        for (std::size_t oy = 0; oy < out_.height; ++oy)
          for (std::size_t ox = 0; ox < out_.width; ++ox) *y++ = x[pick(x, c, oy, ox)];
    }
  });
}

void MaxPool2d::backward(ConstView<float> input, ConstView<float>, ConstView<float> grad_output,
                         MatrixView<float> grad_input) {
  check_batch("maxpool", input, in_.size(), grad_output, out_.size());
  if (grad_input.empty()) return;
  expect_shape("maxpool: grad_input", grad_input.shape(), input.shape());
  for_rows(input.rows(), in_.size(), [&](std::size_t n0, std::size_t n1) {
    for (std::size_t n = n0; n < n1; ++n) {
      const float* x = input.row(n).data();
      const float* dy = grad_output.row(n).data();
      float* dx = grad_input.row(n).data();
      std::fill_n(dx, in_.size(), 0.0f);
      for (std::size_t c = 0; c < out_.channels; ++c)
        for (std::size_t oy = 0; oy < out_.height; ++oy)
          for (std::size_t ox = 0; ox < out_.width; ++ox) dx[pick(x, c, oy, ox)] += *dy++;
    }
  });
}

}  // namespace gibbs::nn
