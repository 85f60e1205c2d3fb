// Conv2d: im2col + one GEMM forward (bias and activation fused), two GEMMs and col2im backward.
module;
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
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
    : in_(input),
      kernel_(kernel),
      stride_(stride),
      padding_(padding),
      grads_({filters, input.channels * kernel * kernel}, filters) {
  if (filters == 0 || kernel == 0 || stride == 0 || input.size() == 0)
    throw ArgumentError("conv2d: filters, kernel, stride and the input's size must be positive");
  out_ = conv_output(input, filters, kernel, stride, padding);
  weight_ = Matrix<float>(filters, taps());
  bias_ = Matrix<float>(1, filters);
  weight_bias_ = Matrix<float>(filters, taps() + 1);
}

LayerSpec Conv2d::spec() const {
  return {
      .kind = LayerKind::kConv2d, .units = out_.channels, .kernel = kernel_, .stride = stride_, .padding = padding_};
}

SampleShape Conv2d::output_shape(SampleShape input) const {
  if (input != in_) throw ArgumentError("conv2d: built for input " + to_string(in_) + ", got " + to_string(input));
  return out_;
}

void Conv2d::forward(ConstView<float> input, MatrixView<float> output) {
  forward_fused(input, output, simd::Activation::kIdentity);
}

// A minibatch of `batch` samples is cut into chunks of at most `largest` samples (those
// whose patches and GEMM result take at most 2^18 floats, 1 MiB, a core's L2 cache on the
// project's machine), a multiple of 4 chunks when there are enough samples (so that 2 or 4
// threads get equal shares), of sizes differing by at most one. It depends on the shapes
// only, never on the thread count, so the gradient's sum over chunks is always added in the
// same order.
Conv2d::Chunks Conv2d::chunks(std::size_t batch) const {
  constexpr std::size_t kFloats = std::size_t{1} << 18;
  const std::size_t largest = std::max<std::size_t>(1, kFloats / ((taps() + 1 + out_.channels) * pixels()));
  const std::size_t fewest = (batch + largest - 1) / largest;
  return {batch, std::min(batch, (fewest + 3) / 4 * 4)};
}

namespace {

// From this many output pixels on (four panels of the AVX-512 GEMM), forward runs one GEMM per
// sample into the output rows; below, one GEMM per chunk and a copy.
constexpr std::size_t kDirectPixels = 256;

// body(k, slot) for each chunk k of [0, chunks), in parallel when there are several chunks and
// threads; slot (< slots) is the running thread's, for its scratch. Each body is isolated, so
// that a thread waiting inside it (for the GEMM's own tasks) never starts another chunk on
// the same scratch.
void for_chunks(std::size_t chunks, std::size_t slots, RangeBody body) {
  if (chunks <= 1 || slots <= 1) {
    for (std::size_t k = 0; k < chunks; ++k) body(k, 0);
    return;
  }
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, chunks, 1),
      [&](const tbb::blocked_range<std::size_t>& r) {
        tbb::this_task_arena::isolate([&] {
          const auto slot = static_cast<std::size_t>(tbb::this_task_arena::current_thread_index());
          for (std::size_t k = r.begin(); k != r.end(); ++k) body(k, slot);
        });
      },
      tbb::simple_partitioner());
}

// Scratch slots for this call: one per thread that may run a chunk.
std::size_t slots_for(std::vector<Workspace>& a, std::vector<Workspace>& b, std::vector<Workspace>& c) {
  const auto slots = static_cast<std::size_t>(std::max(1, tbb::this_task_arena::max_concurrency()));
  if (a.size() < slots) a.resize(slots), b.resize(slots), c.resize(slots);
  return thread_count() > 1 ? slots : 1;
}

}  // namespace

void Conv2d::load_weight_bias() {
  for (std::size_t f = 0; f < out_.channels; ++f) {
    std::ranges::copy(weight().row(f), weight_bias_.row(f).begin());
    weight_bias_(f, taps()) = bias()(0, f);
  }
}

MatrixView<float> Conv2d::chunk_patches(ConstView<float> input, const Chunks& chunks, std::size_t k, std::size_t slot) {
  const std::size_t n0 = chunks.begin(k), n = chunks.size(k);
  const MatrixView<float> patches = patches_[slot].view(taps() + 1, n * pixels());
  im2col({in_, out_, kernel_, stride_, padding_}, input.block(n0, 0, n, input.cols()), patches);
  std::ranges::fill(patches.row(taps()), 1.0f);
  return patches;
}

void Conv2d::forward_fused(ConstView<float> input, MatrixView<float> output, simd::Activation activation) {
  check_batch("conv2d", input, in_.size(), output, out_.size());
  if (pixels() < kDirectPixels)
    return forward_blocks(input, activation, [&](std::size_t begin, std::size_t end, MatrixView<float> blocks) {
      blocks_to_rows(blocks, pixels(), output.block(begin, 0, end - begin, output.cols()));
    });
  // Each sample's GEMM straight into its output row, seen as [filters, OH·OW]: the same
  // arithmetic per element, without the copy of the result.
  load_weight_bias();
  const Chunks chunks = this->chunks(input.rows());
  for_chunks(chunks.count, slots_for(patches_, result_, grad_patches_), [&](std::size_t k, std::size_t slot) {
    const MatrixView<float> patches = chunk_patches(input, chunks, k, slot);
    for (std::size_t s = 0; s < chunks.size(k); ++s)
      simd::gemm(weight_bias_, patches.block(0, s * pixels(), taps() + 1, pixels()),
                 MatrixView<float>(output.row(chunks.begin(k) + s).data(), out_.channels, pixels()),
                 {.activation = activation});
  });
}

void Conv2d::forward_blocks(ConstView<float> input, simd::Activation activation, ChunkBlocks after) {
  require_shape("conv2d", "input", input.shape(), {input.rows(), in_.size()});
  load_weight_bias();
  const Chunks chunks = this->chunks(input.rows());
  for_chunks(chunks.count, slots_for(patches_, result_, grad_patches_), [&](std::size_t k, std::size_t slot) {
    const MatrixView<float> result = result_[slot].view(out_.channels, chunks.size(k) * pixels());
    simd::gemm(weight_bias_, chunk_patches(input, chunks, k, slot), result, {.activation = activation});
    after(chunks.begin(k), chunks.begin(k + 1), result);
  });
}

void Conv2d::backward(ConstView<float> input, ConstView<float>, ConstView<float> grad_output,
                      MatrixView<float> grad_input) {
  check_batch("conv2d", input, in_.size(), grad_output, out_.size());
  backward_from(input, grad_input, [&](std::size_t begin, std::size_t end, MatrixView<float> blocks) {
    rows_to_blocks(grad_output.block(begin, 0, end - begin, grad_output.cols()), pixels(), blocks);
  });
}

bool Conv2d::backward_fused(ConstView<float> input, ConstView<float> activated, ConstView<float> grad_activated,
                            simd::Activation activation, MatrixView<float> grad_input) {
  check_batch("conv2d", input, in_.size(), grad_activated, out_.size());
  require_shape("conv2d", "activated output", activated.shape(), grad_activated.shape());
  // Each value taken through the activation's backward as it is copied.
  backward_from(input, grad_input, [&](std::size_t begin, std::size_t end, MatrixView<float> blocks) {
    rows_to_blocks(grad_activated.block(begin, 0, end - begin, grad_activated.cols()), pixels(), blocks,
                   activated.block(begin, 0, end - begin, activated.cols()), activation);
  });
  return true;
}

void Conv2d::backward_blocks(ConstView<float> input, MatrixView<float> grad_input, ChunkBlocks before) {
  require_shape("conv2d", "input", input.shape(), {input.rows(), in_.size()});
  backward_from(input, grad_input, before);
}

void Conv2d::backward_from(ConstView<float> input, MatrixView<float> grad_input, ChunkBlocks grad_blocks) {
  if (!grad_input.empty()) require_shape("conv2d", "grad_input", grad_input.shape(), input.shape());
  const ConvGeometry g{in_, out_, kernel_, stride_, padding_};
  const Chunks chunks = this->chunks(input.rows());
  const std::size_t filters = out_.channels, slots = slots_for(patches_, result_, grad_patches_);
  const MatrixView<float> partials = partials_.view(chunks.count * (taps() + 1), filters);
  for_chunks(chunks.count, slots, [&](std::size_t k, std::size_t slot) {
    const std::size_t n0 = chunks.begin(k), n = chunks.size(k), columns = n * pixels();
    const MatrixView<float> grad_result = result_[slot].view(filters, columns);
    grad_blocks(n0, n0 + n, grad_result);
    // The chunk's [grad_W | grad_b] transposed, patches · grad_resultᵀ: the patches as im2col
    // writes them are A, read in place along K, and only grad_result (a row per filter) is
    // packed. The ones make the bias gradient the last row. Each element's sum over the columns
    // is the one grad_result · patchesᵀ would take, in the same order.
    simd::gemm(chunk_patches(input, chunks, k, slot), grad_result,
               partials.block(k * (taps() + 1), 0, taps() + 1, filters), {.transpose_b = true});
    if (grad_input.empty()) return;
    const MatrixView<float> grad_patches = grad_patches_[slot].view(taps(), columns);
    simd::gemm(weight(), grad_result, grad_patches, {.transpose_a = true});
    col2im(g, grad_patches, grad_input.block(n0, 0, n, grad_input.cols()));
  });
  // The partials added to the gradient in chunk order, transposed: [grad_W | grad_b]ᵀ into the
  // first chunk's partial (a + b is b + a), the others after it row by row, the sum back.
  const std::size_t taps = this->taps();
  const MatrixView<float> sum = partials.block(0, 0, taps + 1, filters);
  for (std::size_t f = 0; f < filters; ++f) {
    const float* gw = grads_.weight().row(f).data();
    for (std::size_t t = 0; t < taps; ++t) sum(t, f) += gw[t];
    sum(taps, f) += grads_.bias()(0, f);
  }
  for (std::size_t k = 1; k < chunks.count; ++k)
    for (std::size_t t = 0; t <= taps; ++t) {
      const float* partial = partials.row(k * (taps + 1) + t).data();
      float* total = sum.row(t).data();
      for (std::size_t f = 0; f < filters; ++f) total[f] += partial[f];
    }
  for (std::size_t f = 0; f < filters; ++f) {
    float* gw = grads_.weight().row(f).data();
    for (std::size_t t = 0; t < taps; ++t) gw[t] = sum(t, f);
    grads_.bias()(0, f) = sum(taps, f);
  }
}

void Conv2d::zero_grad() { grads_.zero(); }

void Conv2d::bind_gradients(std::span<float> storage) { grads_.bind(storage, "conv2d"); }

void Conv2d::share_values(Layer& from) {
  auto* other = dynamic_cast<Conv2d*>(&from);
  if (other == nullptr || other->spec() != spec() || other->in_ != in_)
    throw ArgumentError("conv2d: shares values only with a conv2d layer of the same shape");
  if (&other->source() == this) return;
  values_from_ = &other->source();
  weight_ = Matrix<float>();
  bias_ = Matrix<float>();
}

std::vector<Parameter> Conv2d::parameters() {
  return {{"weight", {out_.channels, in_.channels, kernel_, kernel_}, weight().view(), grads_.weight()},
          {"bias", {out_.channels}, bias().view(), grads_.bias()}};
}

void Conv2d::initialize(random::Stream stream) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(taps()));
  fill_uniform(stream, 0, weight().view(), bound);
  fill_uniform(stream, weight().size(), bias().view(), bound);
}

}  // namespace gibbs::nn
