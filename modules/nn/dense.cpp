// Dense: the forward GEMM with a fused epilogue and the two backward GEMMs.
module;
#include <fmt/format.h>
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

Dense::Dense(std::size_t inputs, std::size_t outputs)
    : weight_(inputs, outputs), bias_(1, outputs), grads_({inputs, outputs}, outputs), bias_sums_(1, outputs) {
  if (inputs == 0 || outputs == 0) throw ArgumentError("dense: inputs and outputs must be positive");
}

LayerSpec Dense::spec() const { return {.kind = LayerKind::kDense, .units = outputs()}; }

SampleShape Dense::output_shape(SampleShape input) const {
  if (!input.flat() || input.size() != inputs())
    throw ArgumentError("dense: takes a flat input of " + std::to_string(inputs()) + " features, got " +
                        to_string(input));
  return flat_shape(outputs());
}

void Dense::forward(ConstView<float> input, MatrixView<float> output) {
  forward_fused(input, output, simd::Activation::kIdentity);
}

void Dense::forward_fused(ConstView<float> input, MatrixView<float> output, simd::Activation activation) {
  check_batch("dense", input, inputs(), output, outputs());
  simd::gemm(input, weight(), output, {.column_bias = bias().values(), .activation = activation});
}

void Dense::backward(ConstView<float> input, ConstView<float>, ConstView<float> grad_output,
                     MatrixView<float> grad_input) {
  check_batch("dense", input, inputs(), grad_output, outputs());
  parameter_gradients(input, grad_output, 0, inputs(), true, true);
  if (!grad_input.empty()) backward_input(grad_output, grad_input);
}

void Dense::backward_input(ConstView<float> grad_output, MatrixView<float> grad_input) {
  require_shape("dense", "grad_input", grad_input.shape(), {grad_output.rows(), inputs()});
  simd::gemm(grad_output, weight(), grad_input, {.transpose_b = true, .same_bits_per_row = true});
}

void Dense::parameter_gradients(ConstView<float> input, ConstView<float> grad_output, std::size_t first,
                                std::size_t last, bool bias, bool add) {
  check_batch("dense", input, inputs(), grad_output, outputs());
  if (first > last || last > inputs())
    throw ArgumentError(fmt::format("dense: weight rows [{}, {}) of {}", first, last, inputs()));
  simd::gemm(input.block(0, first, input.rows(), last - first), grad_output,
             grads_.weight().block(first, 0, last - first, outputs()),
             {.transpose_a = true, .beta = add ? 1.0f : 0.0f});
  if (!bias) return;
  if (!add) return simd::column_sums(grad_output, grads_.bias().row(0));
  simd::column_sums(grad_output, bias_sums_.values());
  simd::axpy(1.0f, bias_sums_.values(), grads_.bias().row(0));
}

void Dense::zero_grad() { grads_.zero(); }

void Dense::bind_gradients(std::span<float> storage) { grads_.bind(storage, "dense"); }

void Dense::share_values(Layer& from) {
  auto* other = dynamic_cast<Dense*>(&from);
  if (other == nullptr || other->inputs() != inputs() || other->outputs() != outputs())
    throw ArgumentError("dense: shares values only with a dense layer of the same shape");
  if (&other->source() == this) return;
  values_from_ = &other->source();
  weight_ = Matrix<float>();
  bias_ = Matrix<float>();
}

std::vector<Parameter> Dense::parameters() {
  return {{"weight", {inputs(), outputs()}, weight().view(), grads_.weight()},
          {"bias", {outputs()}, bias().view(), grads_.bias()}};
}

void Dense::initialize(random::Stream stream) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(inputs()));
  fill_uniform(stream, 0, weight().view(), bound);
  fill_uniform(stream, weight().size(), bias().view(), bound);
}

}  // namespace gibbs::nn
