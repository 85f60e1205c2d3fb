// gibbs.nn:network — a sequential stack of layers that owns them and their workspace: forward
// over a minibatch, backward from the loss gradient, parameters as named tensors.
module;
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>
export module gibbs.nn:network;
import gibbs.core;
import :shape;
import :layer;
import :spec;

export namespace gibbs::nn {

// The loss's gradient at a network's output for some rows of a minibatch: body(first, output,
// grad) with output and grad the rows [first, first + output.rows()) of the output and of
// ∂L/∂output, to write. Called for blocks of rows at once, from several threads.
using LossRows = FunctionRef<void(std::size_t, ConstView<float>, MatrixView<float>)>;

// Layers in order, each taking the previous one's output shape. Buffers grow to the largest
// minibatch seen and are reused: after the first minibatch nothing is allocated.
// Dense and conv2d followed directly by relu, sigmoid or tanh run that activation in their
// GEMM's epilogue (the activation's input is then never stored); flatten and identity pass
// their input on without copying.
// A network of dense layers and activations cuts a minibatch into a block of rows per thread (at
// least 16 rows each, else it takes them all at once) and runs each block through every layer on
// its thread, forward and then backward to each layer's input gradient, with no join between
// layers; the parameter gradients, sums over all rows, follow as one set of tasks. Each value is
// computed as without the cut, so the thread count changes no bit.
class Network {
 public:
  // Each layer must accept the previous one's output shape (ArgumentError naming the layer).
  Network(SampleShape input, std::vector<std::unique_ptr<Layer>> layers);
  explicit Network(const Architecture& architecture);

  // Every layer's parameters drawn afresh: layer i from random::streams::layer_init(seed, stage, i).
  void initialize(std::uint64_t seed, std::uint64_t stage = 0);

  SampleShape input_shape() const { return input_; }
  SampleShape output_shape() const { return shapes_.empty() ? input_ : shapes_.back(); }
  const std::vector<SampleShape>& shapes() const { return shapes_; }  // after each layer
  std::size_t size() const { return layers_.size(); }
  Layer& layer(std::size_t i) { return *layers_.at(i); }
  const Layer& layer(std::size_t i) const { return *layers_.at(i); }
  Architecture architecture() const;

  // The output [batch, output size] for input [batch, input size] (ShapeError otherwise). The
  // view stays valid until the next forward; input must stay unchanged until backward.
  ConstView<float> forward(ConstView<float> input);

  // From grad_output = ∂L/∂output of the last forward (whose input is passed again): adds
  // ∂L/∂p to every parameter's grad and, when grad_input is not empty, writes ∂L/∂input.
  void backward(ConstView<float> input, ConstView<float> grad_output, MatrixView<float> grad_input = {});

  // One training pass of networks in a chain, each taking the previous one's output and the
  // first `input`: forward, `loss` writing ∂L/∂(the last one's output) into grad_output
  // ([batch, its output size]), and backward, setting every parameter's grad to ∂L/∂p (as
  // zero_grad, forward and backward would, network by network, with the loss between them).
  // When every network cuts its rows (and has a layer that does not pass through), a block of
  // rows goes forward through all of them, through the loss and back on one thread, and the
  // parameter gradients of all follow as one set of tasks: the joins of a single network's
  // pass, whatever the chain's length. The same bits either way.
  static void train_chain(std::span<Network* const> chain, ConstView<float> input, MatrixView<float> grad_output,
                          LossRows loss);

  // Sets every parameter gradient to zero.
  void zero_grad();

  // From now on every layer's parameter values are `from`'s, read in place (ArgumentError unless
  // `from` has the same architecture); `from` must outlive this network. Gradients and workspace
  // stay this network's own: a replica that computes a shard's gradients beside `from`.
  void share_values(Network& from);

  // From now on the parameter gradients live in `storage`, layer after layer, each layer's as
  // Layer::bind_gradients takes them: parameters() order, gradient_size() floats (else
  // ArgumentError).
  void bind_gradients(std::span<float> storage);
  std::size_t gradient_size();

  // One sample's multiply-adds in forward and backward (Layer::multiply_adds): every layer's
  // forward and weight gradient, and its input gradient where backward computes one (past the
  // first layer with parameters, or everywhere when `input_gradient`).
  std::size_t training_multiply_adds(bool input_gradient) const;

  // Every layer's parameters, in layer order, named "<layer index>.<name>" as PyTorch's
  // nn.Sequential names them: "0.weight", "0.bias", "2.weight", ... (activations count).
  std::vector<Parameter> parameters();

 private:
  struct GradientTask {
    Layer* layer;  // a dense layer's weight rows [first, last)
    ConstView<float> input, grad_output;
    std::size_t first, last;
    bool bias;  // and its bias gradient (the layer's last task)
  };

  // Where each layer reads and writes for a minibatch of `input`'s rows (inputs_, outputs_,
  // batch_, batch_input_); returns where the output will be.
  ConstView<float> plan_forward(ConstView<float> input);
  // Rows [first, last) of the minibatch through every layer, reading inputs_, writing outputs_.
  void forward_rows(std::size_t first, std::size_t last);
  // body(first, last) over the minibatch's rows (batch_): a block per thread as described above, or all at once.
  void for_row_blocks(RangeBody body) const;
  // For a network that cuts its rows (splits_rows_): each layer's output gradient and where its
  // input gradient goes (grads_out_, grads_in_), down to the first layer whose input gradient
  // nothing needs (lowest_; the layer count when every layer passes through).
  void plan_backward(ConstView<float> grad_output, MatrixView<float> grad_input);
  // Rows [first, last) of every planned layer's input gradient.
  void backward_rows(std::size_t first, std::size_t last);
  // The planned dense layers' multiply-adds, and their weight gradients as tasks of about
  // `piece` multiply-adds each, appended to `tasks`.
  std::size_t gradient_work() const;
  void add_gradient_tasks(std::size_t piece, std::vector<GradientTask>& tasks) const;
  // The parameter gradients of the networks' planned backward passes, as one set of tasks: added
  // to the gradients, or in their place.
  static void run_gradient_tasks(std::span<Network* const> networks, std::vector<GradientTask>& tasks, bool add);
  // backward of a network that cuts its rows (splits_rows_).
  void backward_in_blocks(ConstView<float> grad_output, MatrixView<float> grad_input);

  SampleShape input_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<SampleShape> shapes_;
  std::vector<char> fused_;                       // fused_[i]: layer i applies layer i + 1 in its epilogue
  std::vector<char> pooled_;                      // pooled_[i]: conv2d i, relu and 2×2 maxpool i + 2 by chunks
  std::vector<std::size_t> params_before_;        // how many layers before layer i have parameters
  std::vector<std::size_t> computes_before_;      // how many layers before layer i do not pass through
  std::vector<Workspace> values_;                 // values_[i]: layer i's output
  Workspace grad_buffers_[2];                     // gradients, alternating between layers
  std::vector<std::vector<std::uint8_t>> picks_;  // picks_[i]: maxpool i's picks in the last forward
  std::vector<ConstView<float>> outputs_;         // each layer's output in the last forward (empty when fused)
  std::vector<ConstView<float>> inputs_;          // each layer's input in the last forward (empty when fused)
  ConstView<float> batch_input_;                  // and the network's
  bool splits_rows_ = false;                      // dense layers and row-wise activations only
  std::vector<Workspace> input_grads_;            // backward_in_blocks: input_grads_[i], layer i's input gradient
  std::vector<ConstView<float>> grads_out_;       // and the gradient of each layer's output
  std::vector<MatrixView<float>> grads_in_;       // and where each layer's input gradient goes (or empty)
  std::size_t lowest_ = 0;                        // plan_backward's lowest layer
  Workspace input_grad_;                          // train_chain: ∂L/∂input of a network after the first
  std::vector<GradientTask> gradient_tasks_;
  std::size_t batch_ = 0;
  bool forwarded_ = false;
};

}  // namespace gibbs::nn
