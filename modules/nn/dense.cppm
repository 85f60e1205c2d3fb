// gibbs.nn:dense — a fully connected layer, y = x·W + b, on the engine's GEMM.
module;
#include <cstddef>
#include <span>
#include <vector>
export module gibbs.nn:dense;
import gibbs.core;
import gibbs.simd;
import gibbs.random;
import :shape;
import :layer;

export namespace gibbs::nn {

// W is [inputs, outputs] (PyTorch's Linear stores its transpose, [out, in]); bias is [outputs].
// Parameters "weight" and "bias". The input must be flat (inputs × 1 × 1).
// Forward is one GEMM with the bias (and a following relu, sigmoid or tanh) in its epilogue;
// backward is grad_W += Xᵀ·dY, grad_b += Σ_rows dY, dX = dY·Wᵀ.
class Dense final : public Layer {
 public:
  Dense(std::size_t inputs, std::size_t outputs);  // parameters zero until initialize()

  LayerSpec spec() const override;
  SampleShape output_shape(SampleShape input) const override;
  void forward(ConstView<float> input, MatrixView<float> output) override;
  void forward_fused(ConstView<float> input, MatrixView<float> output, simd::Activation activation) override;
  void backward(ConstView<float> input, ConstView<float> output, ConstView<float> grad_output,
                MatrixView<float> grad_input) override;
  // backward in two halves, for a Network that cuts the minibatch's rows: the input gradient
  // dX = dY·Wᵀ (row by row), and the parameter gradients of weight rows [first, last): grad_W +=
  // X(:, first..last)ᵀ·dY, and grad_b += Σ_rows dY when `bias` (or = in place of +=, without
  // `add`). Together, with `add`, backward's values.
  void backward_input(ConstView<float> grad_output, MatrixView<float> grad_input);
  void parameter_gradients(ConstView<float> input, ConstView<float> grad_output, std::size_t first, std::size_t last,
                           bool bias, bool add);
  std::vector<Parameter> parameters() override;
  std::size_t multiply_adds() const override { return inputs() * outputs(); }
  void zero_grad() override;
  void share_values(Layer& from) override;
  void bind_gradients(std::span<float> storage) override;
  // PyTorch's default: W and b uniform in ±1/√inputs (kaiming-uniform with a = √5); W takes
  // the stream's positions [0, inputs·outputs), b the next outputs.
  void initialize(random::Stream stream) override;

  std::size_t inputs() const { return source().weight_.rows(); }
  std::size_t outputs() const { return source().weight_.cols(); }
  // The matrices themselves (the values: those of the layer this one shares, if any). Once
  // parameters() has handed out views of them (to an optimiser), change their values in place:
  // assigning a new matrix would leave those views pointing at freed memory.
  Matrix<float>& weight() { return source().weight_; }
  Matrix<float>& bias() { return source().bias_; }  // 1 × outputs
  MatrixView<float> weight_grad() const { return grads_.weight(); }
  MatrixView<float> bias_grad() const { return grads_.bias(); }  // 1 × outputs

 private:
  // The layer whose values this one uses: itself, or the one it shares (share_values).
  Dense& source() { return values_from_ != nullptr ? *values_from_ : *this; }
  const Dense& source() const { return values_from_ != nullptr ? *values_from_ : *this; }

  Dense* values_from_ = nullptr;
  Matrix<float> weight_, bias_;
  WeightBiasGradients grads_;
  Matrix<float> bias_sums_;  // Σ_rows dY before it is added to the bias gradient
};

}  // namespace gibbs::nn
