// gibbs.nn:conv — a 2-D convolution (cross-correlation, as PyTorch's Conv2d) over NCHW rows:
// one im2col matrix for the whole minibatch and one GEMM.
module;
#include <cstddef>
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
// Forward: the minibatch's patches as one matrix [batch·OH·OW, C·K·K] (im2col), one GEMM by
// Wᵀ with the bias (and a following relu, sigmoid or tanh) in its epilogue giving
// [batch·OH·OW, filters], then each sample's block transposed into its NCHW row. Backward
// transposes dY the same way and reuses the forward's patch matrix: grad_W += dYᵀ·patches,
// grad_b += Σ dY, and dX gathers dY·W back onto the pixels (col2im).
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
  std::vector<Parameter> parameters() override;
  // PyTorch's default: W and b uniform in ±1/√(C·K·K); W takes the stream's positions
  // [0, W's size), b the next filters.
  void initialize(random::Stream stream) override;

  SampleShape input_shape() const { return in_; }
  SampleShape output_shape() const { return out_; }
  Matrix<float>& weight() { return weight_; }  // filters × C·K·K
  Matrix<float>& bias() { return bias_; }      // 1 × filters
  Matrix<float>& weight_grad() { return weight_grad_; }
  Matrix<float>& bias_grad() { return bias_grad_; }

 private:
  std::size_t pixels() const { return out_.height * out_.width; }
  std::size_t patch() const { return in_.channels * kernel_ * kernel_; }

  SampleShape in_, out_;
  std::size_t kernel_, stride_, padding_;
  Matrix<float> weight_, bias_, weight_grad_, bias_grad_, bias_sums_;
  Workspace patches_, pixels_, grad_pixels_, grad_patches_;
  std::size_t patches_rows_ = 0;  // batch·OH·OW of the last forward
};

}  // namespace gibbs::nn

namespace gibbs::nn {

// The index arithmetic of a convolution or a pooling window, shared with the kernels below.
struct ConvGeometry {
  SampleShape in, out;
  std::size_t kernel = 1, stride = 1, padding = 0;
};

// patches [batch·OH·OW, C·K·K]: row n·OH·OW + oy·OW + ox holds the window of output pixel
// (oy, ox) of sample n, column (c·K + ky)·K + kx (W's own order), zero where it overhangs.
void im2col(const ConvGeometry& g, ConstView<float> input, MatrixView<float> patches);
// grad_input [batch, C·H·W] = the sum over windows of grad_patches put back where im2col took
// each value from (each sample's additions in a fixed order).
void col2im(const ConvGeometry& g, ConstView<float> grad_patches, MatrixView<float> grad_input);
// [batch·P, F] (pixel-major, a GEMM's result) ⇄ [batch, F·P] (NCHW rows).
void pixels_to_rows(ConstView<float> pixels, std::size_t per_sample, MatrixView<float> rows);
void rows_to_pixels(ConstView<float> rows, std::size_t per_sample, MatrixView<float> pixels);

}  // namespace gibbs::nn
