// gibbs.nn:activation — the parameter-free layers that keep each sample's size: activations
// (relu, tanh, sigmoid, sign, identity, row-wise softmax) and flatten.
module;
#include <optional>
#include <string>
export module gibbs.nn:activation;
import gibbs.core;
import gibbs.simd;
import :shape;
import :layer;

export namespace gibbs::nn {

// spec.kind is kActivation (spec.activation: relu, tanh, sigmoid or identity), kSign or kSoftmax
// (else ArgumentError). Any input shape; the output has the same. Backward reads the output only:
//   relu     y = max(x, 0);           dx = dy where y > 0, else 0 (0 at x = 0, as PyTorch)
//   tanh     y = tanh x;              dx = dy·(1 − y²)
//   sigmoid  y = 1/(1 + e⁻ˣ);         dx = dy·y·(1 − y)
//   sign     y = +1 for x ≥ 0 (sign(0) = sign(−0) = +1), −1 for x < 0, NaN stays NaN;
//            dx = dy: the gradient passes straight through (the perceptron's and the
//            straight-through estimator's convention; the true derivative is 0 almost everywhere)
//   identity y = x;                   dx = dy
//   softmax  y_i = e^(x_i − m) / Σ_j e^(x_j − m) over each row, m the row's maximum (stable
//            for any finite logits); dx_i = y_i·(dy_i − Σ_j dy_j·y_j)
class ActivationLayer final : public Layer {
 public:
  explicit ActivationLayer(const LayerSpec& spec);
  explicit ActivationLayer(simd::Activation activation) : ActivationLayer(LayerSpec{.activation = activation}) {}

  LayerSpec spec() const override { return spec_; }
  SampleShape output_shape(SampleShape input) const override { return input; }
  void forward(ConstView<float> input, MatrixView<float> output) override;
  void backward(ConstView<float> input, ConstView<float> output, ConstView<float> grad_output,
                MatrixView<float> grad_input) override;
  std::optional<simd::Activation> epilogue() const override;
  bool passes_through() const override { return spec_ == LayerSpec{.activation = simd::Activation::kIdentity}; }

 private:
  LayerSpec spec_;
  std::string name_;  // "relu", ... for messages (made once: forward allocates nothing)
};

// C × H × W → C·H·W × 1 × 1. The values do not move (rows are already flat): forward and
// backward copy, and a Network passes the buffer on.
class Flatten final : public Layer {
 public:
  LayerSpec spec() const override { return {.kind = LayerKind::kFlatten}; }
  SampleShape output_shape(SampleShape input) const override { return flat_shape(input.size()); }
  void forward(ConstView<float> input, MatrixView<float> output) override;
  void backward(ConstView<float> input, ConstView<float> output, ConstView<float> grad_output,
                MatrixView<float> grad_input) override;
  bool passes_through() const override { return true; }
};

}  // namespace gibbs::nn
