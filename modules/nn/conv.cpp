// Conv2d: im2col + one GEMM forward (bias and activation fused), two GEMMs and col2im backward.
module;
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>
module gibbs.nn;
import gibbs.core;
import gibbs.simd;
import gibbs.random;

namespace gibbs::nn {
namespace {

SampleShape conv_output(SampleShape in, std::size_t filters, std::size_t kernel, std::size_t stride,
                        std::size_t padding) {
  if (in.height + 2 * padding < kernel || in.width + 2 * padding < kernel)
    throw ArgumentError("conv2d: a " + std::to_string(kernel) + "x" + std::to_string(kernel) +
                        " kernel does not fit the input " + to_string(in) + " with padding " + std::to_string(padding));
  return {filters, (in.height + 2 * padding - kernel) / stride + 1, (in.width + 2 * padding - kernel) / stride + 1};
}

}  // namespace

Conv2d::Conv2d(SampleShape input, std::size_t filters, std::size_t kernel, std::size_t stride, std::size_t padding)
    : in_(input), kernel_(kernel), stride_(stride), padding_(padding) {
  if (filters == 0 || kernel == 0 || stride == 0 || input.size() == 0)
    throw ArgumentError("conv2d: filters, kernel, stride and the input's size must be positive");
  out_ = conv_output(input, filters, kernel, stride, padding);
  weight_ = Matrix<float>(filters, taps());
  weight_grad_ = Matrix<float>(filters, taps());
  bias_ = Matrix<float>(1, filters);
  bias_grad_ = Matrix<float>(1, filters);
  weight_bias_ = Matrix<float>(filters, taps() + 1);
  weight_bias_grad_ = Matrix<float>(filters, taps() + 1);
}

LayerSpec Conv2d::spec() const {
  return {.kind = LayerKind::kConv2d, .units = out_.channels, .kernel = kernel_, .stride = stride_, .padding = padding_};
}

SampleShape Conv2d::output_shape(SampleShape input) const {
  if (input != in_) throw ArgumentError("conv2d: built for input " + to_string(in_) + ", got " + to_string(input));
  return out_;
}

void Conv2d::forward(ConstView<float> input, MatrixView<float> output) {
  forward_fused(input, output, simd::Activation::kIdentity);
}

// Samples per chunk: a chunk's patches take at most 2^18 floats (1 MiB, a core's L2 cache on
// the project's machine), or one sample. It depends on the shapes only, never on the thread
// count, so the gradient's sum over chunks is always added in the same order.
std::size_t Conv2d::chunk() const {
  constexpr std::size_t kPatchFloats = std::size_t{1} << 18;
  return std::max<std::size_t>(1, kPatchFloats / ((taps() + 1) * pixels()));
}

void Conv2d::forward_fused(ConstView<float> input, MatrixView<float> output, simd::Activation activation) {
  check_batch("conv2d", input, in_.size(), output, out_.size());
  for (std::size_t f = 0; f < out_.channels; ++f) {
    std::ranges::copy(weight_.row(f), weight_bias_.row(f).begin());
    weight_bias_(f, taps()) = bias_(0, f);
  }
  const ConvGeometry g{in_, out_, kernel_, stride_, padding_};
  for (std::size_t n0 = 0; n0 < input.rows(); n0 += chunk()) {
    const std::size_t n = std::min(chunk(), input.rows() - n0), columns = n * pixels();
    const MatrixView<float> patches = patches_.view(taps() + 1, columns);
    const MatrixView<float> result = result_.view(out_.channels, columns);
    im2col(g, input.block(n0, 0, n, input.cols()), patches);
    std::ranges::fill(patches.row(taps()), 1.0f);
    simd::gemm(weight_bias_, patches, result, {.activation = activation});
    blocks_to_rows(result, pixels(), output.block(n0, 0, n, output.cols()));
  }
}

void Conv2d::backward(ConstView<float> input, ConstView<float>, ConstView<float> grad_output,
                      MatrixView<float> grad_input) {
  check_batch("conv2d", input, in_.size(), grad_output, out_.size());
  if (!grad_input.empty()) expect_shape("conv2d: grad_input", grad_input.shape(), input.shape());
  const ConvGeometry g{in_, out_, kernel_, stride_, padding_};
  for (std::size_t n0 = 0; n0 < input.rows(); n0 += chunk()) {
    const std::size_t n = std::min(chunk(), input.rows() - n0), columns = n * pixels();
    const MatrixView<float> patches = patches_.view(taps() + 1, columns);
    const MatrixView<float> grad_result = grad_result_.view(out_.channels, columns);
    im2col(g, input.block(n0, 0, n, input.cols()), patches);
    std::ranges::fill(patches.row(taps()), 1.0f);
    rows_to_blocks(grad_output.block(n0, 0, n, grad_output.cols()), pixels(), grad_result);
    // The patches' row of ones makes the bias gradient the last column of the same GEMM.
    simd::gemm(grad_result, patches, weight_bias_grad_, {.transpose_b = true, .beta = n0 == 0 ? 0.0f : 1.0f});
    if (grad_input.empty()) continue;
    const MatrixView<float> grad_patches = grad_patches_.view(taps(), columns);
    simd::gemm(weight_, grad_result, grad_patches, {.transpose_a = true});
    col2im(g, grad_patches, grad_input.block(n0, 0, n, grad_input.cols()));
  }
  if (input.rows() == 0) return;
  for (std::size_t f = 0; f < out_.channels; ++f) {
    float* gw = weight_grad_.row(f).data();
    const float* d = weight_bias_grad_.row(f).data();
    for (std::size_t t = 0; t < taps(); ++t) gw[t] += d[t];
    bias_grad_(0, f) += d[taps()];
  }
}

std::vector<Parameter> Conv2d::parameters() {
  return {{"weight", {out_.channels, in_.channels, kernel_, kernel_}, weight_.view(), weight_grad_.view()},
          {"bias", {out_.channels}, bias_.view(), bias_grad_.view()}};
}

void Conv2d::initialize(random::Stream stream) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(taps()));
  fill_uniform(stream, 0, weight_.view(), bound);
  fill_uniform(stream, weight_.size(), bias_.view(), bound);
}

}  // namespace gibbs::nn
