// Conv2d: im2col + one GEMM forward (fused bias and activation), GEMMs and col2im backward.
module;
#include <cmath>
#include <cstddef>
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
  weight_ = Matrix<float>(filters, patch());
  weight_grad_ = Matrix<float>(filters, patch());
  bias_ = Matrix<float>(1, filters);
  bias_grad_ = Matrix<float>(1, filters);
  bias_sums_ = Matrix<float>(1, filters);
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

void Conv2d::forward_fused(ConstView<float> input, MatrixView<float> output, simd::Activation activation) {
  check_batch("conv2d", input, in_.size(), output, out_.size());
  const ConvGeometry g{in_, out_, kernel_, stride_, padding_};
  const std::size_t rows = input.rows() * pixels();
  const MatrixView<float> patches = patches_.view(rows, patch());
  const MatrixView<float> pixels_out = pixels_.view(rows, out_.channels);
  im2col(g, input, patches);
  simd::gemm(patches, weight_, pixels_out,
             {.transpose_b = true, .column_bias = bias_.values(), .activation = activation});
  pixels_to_rows(pixels_out, pixels(), output);
  patches_rows_ = rows;
}

void Conv2d::backward(ConstView<float> input, ConstView<float>, ConstView<float> grad_output,
                      MatrixView<float> grad_input) {
  check_batch("conv2d", input, in_.size(), grad_output, out_.size());
  const std::size_t rows = input.rows() * pixels();
  if (rows != patches_rows_)
    throw ArgumentError("conv2d: backward of a batch of " + std::to_string(input.rows()) +
                        " without the forward of that batch");
  const MatrixView<float> patches = patches_.view(rows, patch());
  const MatrixView<float> grad_pixels = grad_pixels_.view(rows, out_.channels);
  rows_to_pixels(grad_output, pixels(), grad_pixels);
  simd::column_sums(grad_pixels, bias_sums_.values());
  simd::axpy(1.0f, bias_sums_.values(), bias_grad_.values());
  simd::gemm(grad_pixels, patches, weight_grad_, {.transpose_a = true, .beta = 1.0f});
  if (grad_input.empty()) return;
  expect_shape("conv2d: grad_input", grad_input.shape(), input.shape());
  const MatrixView<float> grad_patches = grad_patches_.view(rows, patch());
  simd::gemm(grad_pixels, weight_, grad_patches);
  col2im({in_, out_, kernel_, stride_, padding_}, grad_patches, grad_input);
}

std::vector<Parameter> Conv2d::parameters() {
  return {{"weight", {out_.channels, in_.channels, kernel_, kernel_}, weight_.view(), weight_grad_.view()},
          {"bias", {out_.channels}, bias_.view(), bias_grad_.view()}};
}

void Conv2d::initialize(random::Stream stream) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(patch()));
  fill_uniform(stream, 0, weight_.view(), bound);
  fill_uniform(stream, weight_.size(), bias_.view(), bound);
}

}  // namespace gibbs::nn
