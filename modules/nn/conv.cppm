// gibbs.nn:conv — a 2-D convolution (cross-correlation, as PyTorch's Conv2d) over NCHW rows:
// one patch matrix for the whole minibatch and one GEMM each way.
module;
#include <cstddef>
#include <span>
#include <vector>
export module gibbs.nn:conv;
import gibbs.core;
import gibbs.simd;
import gibbs.random;
import :shape;
import :layer;

export namespace gibbs::nn {

// filters output channels from a C × H × W input with K × K kernels, a stride and zero
// padding on every side: the output is filters × OH × OW, OH = (H + 2·padding − K) / stride + 1
// (rounded down, as PyTorch), likewise OW.
// Parameters "weight" [filters, C, K, K] (PyTorch's layout, stored as filters × C·K·K) and
// "bias" [filters].
// The minibatch goes in chunks of samples (no more than keep a chunk's patches and GEMM
// result within 1 MiB, so that they stay in a core's cache; a multiple of 4 chunks), the
// chunks in parallel, each on one thread with its own scratch. Forward, per chunk: the patches as one matrix
// [C·K·K + 1, samples·OH·OW] (im2col, a row per kernel tap and a last row of ones that
// carries the bias), one GEMM [W | b] · patches with a following relu, sigmoid or tanh in its
// epilogue, giving [filters, samples·OH·OW], whose per-sample blocks are copied into the NCHW
// rows (with 256 output pixels or more, one GEMM per sample writes its NCHW row directly). Backward, per chunk: the
// same patches again (nothing is kept from forward), dY copied into the same layout, the chunk's [grad_W | grad_b] = dY
// · patchesᵀ (one GEMM; the chunks' sums are added in chunk order afterwards), and dX gathered from Wᵀ · dY (col2im).
class Conv2d final : public Layer {
 public:
  Conv2d(SampleShape input, std::size_t filters, std::size_t kernel, std::size_t stride = 1,
         std::size_t padding = 0);  // parameters zero until initialize()

  LayerSpec spec() const override;
  SampleShape output_shape(SampleShape input) const override;
  void forward(ConstView<float> input, MatrixView<float> output) override;
  void forward_fused(ConstView<float> input, MatrixView<float> output, simd::Activation activation) override;
  void backward(ConstView<float> input, ConstView<float> output, ConstView<float> grad_output,
                MatrixView<float> grad_input) override;
  // A chunk of samples [begin, end) of a minibatch, as the GEMMs take it: blocks [filters,
  // (end − begin)·OH·OW], sample begin + s's plane f at (f, s·OH·OW).
  using ChunkBlocks = FunctionRef<void(std::size_t begin, std::size_t end, MatrixView<float> blocks)>;
  // forward_fused without output rows: each chunk's output goes to after(begin, end, blocks) on
  // the chunk's thread, while it is in the thread's cache (a network's max pooling runs so).
  void forward_blocks(ConstView<float> input, simd::Activation activation, ChunkBlocks after);
  // backward from output gradients that before(begin, end, blocks) writes into each chunk's
  // blocks, on the chunk's thread (a network's max pooling backward).
  void backward_blocks(ConstView<float> input, MatrixView<float> grad_input, ChunkBlocks before);
  bool backward_fused(ConstView<float> input, ConstView<float> activated, ConstView<float> grad_activated,
                      simd::Activation activation, MatrixView<float> grad_input) override;
  std::vector<Parameter> parameters() override;
  std::size_t multiply_adds() const override { return pixels() * out_.channels * taps(); }
  void zero_grad() override;
  void share_values(Layer& from) override;
  void bind_gradients(std::span<float> storage) override;
  // PyTorch's default: W and b uniform in ±1/√(C·K·K); W takes the stream's positions
  // [0, W's size), b the next filters.
  void initialize(random::Stream stream) override;

  SampleShape input_shape() const { return in_; }
  SampleShape output_shape() const { return out_; }
  // The matrices themselves (the values: those of the layer this one shares, if any). Once
  // parameters() has handed out views of them (to an optimiser), change their values in place:
  // assigning a new matrix would leave those views pointing at freed memory.
  Matrix<float>& weight() { return source().weight_; }               // filters × C·K·K
  Matrix<float>& bias() { return source().bias_; }                   // 1 × filters
  MatrixView<float> weight_grad() const { return grads_.weight(); }  // filters × C·K·K
  MatrixView<float> bias_grad() const { return grads_.bias(); }      // 1 × filters

 private:
  // The layer whose values this one uses: itself, or the one it shares (share_values).
  Conv2d& source() { return values_from_ != nullptr ? *values_from_ : *this; }
  std::size_t pixels() const { return out_.height * out_.width; }
  std::size_t taps() const { return in_.channels * kernel_ * kernel_; }
  // How a minibatch is cut (see conv.cpp): chunk k holds the samples [begin(k), begin(k + 1)).
  struct Chunks {
    std::size_t batch, count;
    std::size_t begin(std::size_t k) const { return k * batch / count; }
    std::size_t size(std::size_t k) const { return begin(k + 1) - begin(k); }
  };
  Chunks chunks(std::size_t batch) const;
  // weight_bias_ from the weight and bias; the patches of chunk k in scratch slot `slot`, a row of
  // ones after the taps.
  void load_weight_bias();
  MatrixView<float> chunk_patches(ConstView<float> input, const Chunks& chunks, std::size_t k, std::size_t slot);
  // The backward, each chunk's output gradient written into its blocks by `grad_blocks`.
  void backward_from(ConstView<float> input, MatrixView<float> grad_input, ChunkBlocks grad_blocks);

  SampleShape in_, out_;
  std::size_t kernel_, stride_, padding_;
  Conv2d* values_from_ = nullptr;
  Matrix<float> weight_, bias_;
  WeightBiasGradients grads_;
  Matrix<float> weight_bias_;  // [W | b], filters × (C·K·K + 1)
  Workspace partials_;         // each chunk's [grad_W | grad_b] transposed, chunk after chunk
  // Scratch per worker thread (indexed by oneTBB's thread index in the arena).
  std::vector<Workspace> patches_, result_, grad_patches_;
};

}  // namespace gibbs::nn

namespace gibbs::nn {

// The index arithmetic of a convolution, shared with the kernels below.
struct ConvGeometry {
  SampleShape in, out;
  std::size_t kernel = 1, stride = 1, padding = 0;
};

// patches [C·K·K, samples·OH·OW] (more rows are left alone): row (c·K + ky)·K + kx (W's own
// column order), column n·OH·OW + oy·OW + ox holds x[n][c][oy·stride − padding + ky]
// [ox·stride − padding + kx], zero where the window overhangs the image.
void im2col(const ConvGeometry& g, ConstView<float> input, MatrixView<float> patches);
// grad_input [batch, C·H·W] = the sum over taps of grad_patches put back where im2col took
// each value from; each sample's additions in a fixed order.
void col2im(const ConvGeometry& g, ConstView<float> grad_patches, MatrixView<float> grad_input);
// [F, batch·P] (filter-major, a GEMM's result) ⇄ [batch, F·P] (NCHW rows): runs of P values.
void blocks_to_rows(ConstView<float> blocks, std::size_t per_sample, MatrixView<float> rows);
// With `activated` (the rows' forward values after `activation`), rows_to_blocks takes each
// value through the activation's backward on the way.
void rows_to_blocks(ConstView<float> rows, std::size_t per_sample, MatrixView<float> blocks,
                    ConstView<float> activated = {}, simd::Activation activation = simd::Activation::kIdentity);

}  // namespace gibbs::nn
