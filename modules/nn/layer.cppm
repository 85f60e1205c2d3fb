// gibbs.nn:layer — what every layer is: a minibatch forward pass, a backward pass that
// accumulates parameter gradients, named parameters, and the shape it turns its input into.
module;
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
export module gibbs.nn:layer;
import gibbs.core;
import gibbs.simd;
import gibbs.random;
import :shape;

export namespace gibbs::nn {

// kActivation: one of the kernels' activations (relu, tanh, sigmoid, identity), which
// LayerSpec::activation names; sign and softmax have no kernel of their own.
enum class LayerKind { kDense, kConv2d, kMaxPool2d, kFlatten, kActivation, kSign, kSoftmax };

// A layer as the spec parser reads it and Layer::spec() reports it.
struct LayerSpec {
  LayerKind kind = LayerKind::kActivation;
  simd::Activation activation = simd::Activation::kIdentity;  // of a kActivation layer
  std::size_t units = 0;                                      // dense: outputs; conv2d: filters
  std::size_t kernel = 0;                                     // conv2d, maxpool2d: K of the K×K window
  std::size_t stride = 0;                                     // conv2d (1 by default), maxpool2d (K by default)
  std::size_t padding = 0;                                    // conv2d: zero rows and columns added on every side
  friend bool operator==(const LayerSpec&, const LayerSpec&) = default;
};

// The layer's --arch token in canonical form: "dense:128", "conv3x3:32" (stride 1 and
// padding 0 are left out), "conv5x5:16:s2:p2", "maxpool2", "maxpool3:s2", "flatten", "relu".
std::string to_string(const LayerSpec& spec);

// A tensor a layer learns. Inside a layer the names are "weight" and "bias"; a Network
// prefixes the layer's index: "0.weight", "0.bias", "3.weight", ...
struct Parameter {
  std::string name;
  std::vector<std::size_t> shape;  // its own shape: dense weight [in, out], bias [out],
                                   // conv2d weight [filters, channels, K, K]
  MatrixView<float> value;         // row-major and contiguous, shape's product values
  MatrixView<float> grad;          // the same shape as value
};

// Rows are samples; each row is one sample in NCHW order (see SampleShape). Views may have
// any row stride, and must not overlap one another. backward() takes the input and output
// of a forward; no layer keeps anything from its forward for its backward, so the two may
// be called in any order.
class Layer {
 public:
  virtual ~Layer() = default;

  virtual LayerSpec spec() const = 0;
  // The shape of one output sample; an input this layer cannot take is an ArgumentError.
  virtual SampleShape output_shape(SampleShape input) const = 0;

  // output = f(input), input [batch, in size] and output [batch, out size], else ShapeError.
  virtual void forward(ConstView<float> input, MatrixView<float> output) = 0;

  // grad_input = ∂L/∂input from grad_output = ∂L/∂output, and each parameter's grad +=
  // ∂L/∂parameter (accumulated, as in PyTorch: zero them between minibatches). An empty
  // grad_input skips the input gradient (the first layer of a network needs none).
  // Dense and conv2d read input, not output; activations read output, not input (either may
  // then be empty); maxpool reads input, and output when it is not empty.
  virtual void backward(ConstView<float> input, ConstView<float> output, ConstView<float> grad_output,
                        MatrixView<float> grad_input) = 0;

  virtual std::vector<Parameter> parameters() { return {}; }

  // The multiply-adds of one sample's forward() through the layer's GEMM; its weight gradient
  // and its input gradient take as many each. 0 for a layer without one.
  virtual std::size_t multiply_adds() const { return 0; }

  // Sets every parameter gradient to zero (without allocating, unlike parameters()).
  virtual void zero_grad() {}

  // From now on this layer's parameter values are `from`'s, read in place (ArgumentError unless
  // `from` is a layer of the same kind and shape); `from` must outlive it. Its gradients and
  // scratch stay its own: a replica that computes a shard's gradients beside `from`. No-op for
  // a layer without parameters.
  virtual void share_values(Layer& /*from*/) {}

  // From now on this layer's parameter gradients live in `storage`: each parameter's in turn, in
  // parameters() order, contiguous, as many floats as the parameters hold together (else
  // ArgumentError). What `storage` holds is kept; the caller keeps it alive while the layer is in
  // use. A replica computing a shard's gradient so writes it where it is summed, with no copy.
  // No-op for a layer without parameters (given no storage).
  virtual void bind_gradients(std::span<float> storage);

  // Draws the parameters from `stream` (no-op without parameters); see each layer.
  virtual void initialize(random::Stream) {}

  // For relu, sigmoid and tanh: the GEMM epilogue that computes the same function.
  virtual std::optional<simd::Activation> epilogue() const { return std::nullopt; }

  // forward(), then `activation` on the result. Dense and conv2d apply it inside their GEMM
  // (as the epilogue), with results identical to a separate activation layer's.
  virtual void forward_fused(ConstView<float> input, MatrixView<float> output, simd::Activation activation);

  // The backward of forward_fused: from the gradient with respect to the activation's output
  // (`activated`, the forward's output), as the activation's backward and then this layer's
  // would, with the same results. Returns false, doing nothing, when the layer has no such
  // pass (the caller then runs the two backward passes); conv2d has one, which saves a pass
  // over its output.
  virtual bool backward_fused(ConstView<float> input, ConstView<float> activated, ConstView<float> grad_activated,
                              simd::Activation activation, MatrixView<float> grad_input);

  // True when output equals input element for element (flatten, identity): a Network then
  // passes the input on instead of copying it.
  virtual bool passes_through() const { return false; }
};

// The gradients of a layer's weight and bias, one after the other in one block of floats: the
// layer's own (zero at first), or storage it was bound to (Layer::bind_gradients).
class WeightBiasGradients {
 public:
  WeightBiasGradients(Shape weight, std::size_t biases);
  // A copy holds the same values in storage of its own.
  WeightBiasGradients(const WeightBiasGradients& other);
  WeightBiasGradients& operator=(const WeightBiasGradients& other);
  WeightBiasGradients(WeightBiasGradients&&) noexcept = default;
  WeightBiasGradients& operator=(WeightBiasGradients&&) noexcept = default;

  MatrixView<float> weight() const { return weight_; }
  MatrixView<float> bias() const { return bias_; }  // 1 × biases
  std::size_t size() const { return own_.size(); }
  std::span<float> values() const { return {weight_.data(), size()}; }  // weight, then bias
  void bind(std::span<float> storage, std::string_view layer);
  void zero();

 private:
  void place(float* at);

  Matrix<float> own_;
  MatrixView<float> weight_, bias_;
};

// Scratch memory that grows to the largest request and is then reused, so that a training
// loop allocates during its first minibatch only.
class Workspace {
 public:
  MatrixView<float> view(std::size_t rows, std::size_t cols);

 private:
  Matrix<float> storage_;
};

// Throws ShapeError unless input is [batch, in] and output [batch, out] for input's batch.
void check_batch(std::string_view layer, ConstView<float> input, std::size_t in, ConstView<float> output,
                 std::size_t out);

}  // namespace gibbs::nn

namespace gibbs::nn {
// Throws ShapeError("<owner>: <what>: shape [..], expected [..]") unless actual == expected.
// The message is built only then: checks on every minibatch allocate nothing.
void require_shape(std::string_view owner, std::string_view what, Shape actual, Shape expected);

// dx[i] = dy[i]·f'(x[i]) from y[i] = f(x[i]) for relu, tanh, sigmoid (identity: dx = dy): the
// activation layers' backward, shared so that fused passes give the same bits.
void activation_backward(simd::Activation activation, const float* y, const float* dy, float* dx, std::size_t n);

// Fills m with U(−bound, bound) = bound·(2u − 1), u the uniforms of `stream` from `offset` on.
void fill_uniform(random::Stream stream, std::uint64_t offset, MatrixView<float> m, float bound);

// body(begin, end) over the rows [0, rows), in parallel chunks when the work (elements touched
// per row times rows) is large. Callers give it row-wise work only, so results never depend
// on how the rows are split, nor on the thread count.
void for_rows(std::size_t rows, std::size_t work_per_row, RangeBody body);
}  // namespace gibbs::nn
