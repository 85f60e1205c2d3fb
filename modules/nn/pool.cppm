// gibbs.nn:pool — K×K max pooling over NCHW rows.
module;
#include <cstddef>
#include <cstdint>
#include <span>
export module gibbs.nn:pool;
import gibbs.core;
import :shape;
import :layer;

export namespace gibbs::nn {

// Each channel's K×K windows, `stride` apart (K by default), no padding: OH = (H − K)/stride + 1
// rounded down (PyTorch's ceil_mode = false), likewise OW. A window's first largest value
// wins (row by row), and a NaN wins over any number, as in PyTorch. Backward gives each
// output's gradient to the input its window picked, found again from the input (2×2 windows
// with stride 2: the first input equal to the forward's output, when output is given); with
// overlapping windows an input may collect several.
class MaxPool2d final : public Layer {
 public:
  MaxPool2d(SampleShape input, std::size_t kernel, std::size_t stride = 0);

  LayerSpec spec() const override;
  SampleShape output_shape(SampleShape input) const override;
  void forward(ConstView<float> input, MatrixView<float> output) override;
  void backward(ConstView<float> input, ConstView<float> output, ConstView<float> grad_output,
                MatrixView<float> grad_input) override;

  SampleShape input_shape() const { return in_; }
  SampleShape output_shape() const { return out_; }

  // With 2×2 windows and stride 2 (has_picks()), forward and backward for the samples [begin,
  // end) of a minibatch whose inputs are a convolution's chunk as its GEMM leaves it: blocks
  // [channels, (end − begin)·H·W], sample begin + s's plane c at (c, s·H·W). What a network runs
  // inside the convolution's loop over its chunks, while they are in cache, on the calling
  // thread. forward_blocks writes the samples' output rows and each window's pick (0 top left,
  // 1 top right, 2 bottom left, 3 bottom right) to picks, picks_per_sample() bytes a sample (a
  // byte per output value, each row padded to whole vectors); backward_blocks, from those picks
  // and the samples' rows of grad_output, writes grad_blocks (the blocks' layout): the values
  // backward gives, without reading the input or output.
  bool has_picks() const { return kernel_ == 2 && stride_ == 2; }
  std::size_t picks_per_sample() const;
  void forward_blocks(ConstView<float> blocks, MatrixView<float> output, std::span<std::uint8_t> picks,
                      std::size_t begin, std::size_t end) const;
  void backward_blocks(std::span<const std::uint8_t> picks, ConstView<float> grad_output, MatrixView<float> grad_blocks,
                       std::size_t begin, std::size_t end) const;

 private:
  // Index within the sample of the input that window (c, oy, ox) picks.
  std::size_t pick(const float* x, std::size_t c, std::size_t oy, std::size_t ox) const;
  // Throws unless picks are kept (has_picks()) and `picks` bytes hold `batch` samples' picks.
  void check_picks(std::size_t picks, std::size_t batch) const;
  // Throws unless [begin, end) lies in a minibatch of `batch` samples and `blocks` holds exactly
  // those samples' planes.
  void check_blocks(ConstView<float> blocks, std::size_t batch, std::size_t begin, std::size_t end) const;

  SampleShape in_, out_;
  std::size_t kernel_, stride_;
};

}  // namespace gibbs::nn
