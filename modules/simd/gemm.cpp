// GEMM front end: shape checks, then a static split of C's columns (and rows) over threads.
// And the transpose that lets a product by Bᵀ read B in place.
module;
#include "modules/simd/kernels/gemm.h"
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include "modules/simd/kernels/elementwise.h"
module gibbs.simd;
import gibbs.core;

namespace gibbs::simd {
namespace {

// Below this many multiply-adds a GEMM runs on the calling thread.
constexpr std::size_t kSerialWork = 64 * 1024;
// Splitting C by rows needs at least this many rows per thread to keep tiles full.
constexpr std::size_t kRowsPerThread = 24;
// From this many rows per thread, C is split by rows even where B is packed: each thread then packs
// all of B, but reads only its share of A. 2048³ on 2 threads of Zen 5: 377 → 388 GFLOP/s (medians
// of 10 alternating runs, 9 of the 10 pairs faster); 1024³ (512 rows a thread) ran 1% slower so.
constexpr std::size_t kRowsPerThreadPackingAllOfB = 1024;
// C = A·Bᵀ with at most this many rows is computed as Cᵀ = B·Aᵀ and transposed, where that
// moves fewer elements: B is then read in place as that product's A, and only A (m·K) and Cᵀ
// (m·N) are reordered, where A·Bᵀ reorders all of B (N·K) on every call (a layer's input
// gradient, dY·Wᵀ, reorders W; an RBM's visible means, h·Wᵀ, too). Each element is the sum over
// K that packing Bᵀ gives, in the same order, and the bias and activation follow as the
// epilogue applies them. A plain product computed so replaces the dot-product kernel, whose last
// bits differ; one with a bias, an activation or a hook keeps the dot kernel where it fits.
constexpr std::size_t kFlipMaxRows = 128;

bool flips(std::size_t m, std::size_t n, std::size_t k) { return m <= kFlipMaxRows && m < n && k * (n - m) > m * n; }

bool computes_transposed(std::size_t m, std::size_t n, std::size_t k, const GemmOptions& o) {
  if (!o.transpose_b || o.transpose_a || o.beta != 0.0f || !flips(m, n, k)) return false;
  if (o.a_binary && m >= kernels::kGemmBinaryMinRowsTransposed) return false;
  const bool epilogue = !o.column_bias.empty() || o.activation != Activation::kIdentity || o.then;
  return !epilogue || o.same_bits_per_row || !kernels::DotKernelFits(m, k);
}

// C = Cᵀ transposed, then the bias, the activation and the hook, a band of C's rows at a time.
void finish_transposed(ConstView<float> ct, MatrixView<float> c, const GemmOptions& o) {
  const std::size_t n = c.cols();
  const auto band = [&](std::size_t r0, std::size_t r1) {
    kernels::Transpose(ct.data() + r0, ct.stride(), n, r1 - r0, c.row(r0).data(), c.stride());
    for (std::size_t r = r0; r < r1; ++r) {
      float* row = c.row(r).data();
      if (!o.column_bias.empty()) kernels::Axpy(1.0f, o.column_bias.data(), row, n);  // row + bias, rounded once
      if (o.activation != Activation::kIdentity) kernels::ActivationForward(o.activation, row, row, n);
    }
    if (o.then) o.then(r0, r1, 0, n);
  };
  if (c.rows() * n <= kSerialWork) return band(0, c.rows());
  for_row_groups(c.rows(), 8, band);  // a band per thread
}

// The product's Cᵀ before it is transposed into C: per thread, grown on demand and kept.
MatrixView<float> transposed_scratch(std::size_t rows, std::size_t cols) {
  thread_local Matrix<float> scratch;
  if (scratch.size() < rows * cols) scratch = Matrix<float>(rows, cols);
  return {scratch.data(), rows, cols};
}

}  // namespace

void gemm(ConstView<float> a, ConstView<float> b, MatrixView<float> c, const GemmOptions& options) {
  const Shape op_a = options.transpose_a ? Shape{a.cols(), a.rows()} : a.shape();
  const Shape op_b = options.transpose_b ? Shape{b.cols(), b.rows()} : b.shape();
  const std::size_t m = op_a.rows, k = op_a.cols, n = op_b.cols;
  expect_shape("gemm: op(B)", op_b, {k, n});
  expect_shape("gemm: C", c.shape(), {m, n});
  if (!options.column_bias.empty() && options.column_bias.size() != n)
    throw ShapeError("gemm: column bias", {1, options.column_bias.size()}, {1, n});
  if (m == 0 || n == 0) return;
  if (computes_transposed(m, n, k, options)) {
    const MatrixView<float> ct = transposed_scratch(n, m);
    gemm(b, a, ct, {.transpose_b = true, .alpha = options.alpha, .same_bits_per_row = options.same_bits_per_row});
    return finish_transposed(ct, c, options);
  }

  kernels::GemmProblem p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.a = a.data();
  p.a_row_stride = options.transpose_a ? 1 : a.stride();
  p.a_col_stride = options.transpose_a ? a.stride() : 1;
  p.b = b.data();
  p.ldb = b.stride();
  p.b_transposed = options.transpose_b;
  // The binary kernel may take some blocks and not others: all of them get its bits.
  p.dot_allowed = !options.same_bits_per_row && !options.a_binary;
  p.a_binary = options.a_binary;
  if (p.a_binary) p.binary_bounds = kernels::GemmBinaryBounds();  // timed here on the first call
  p.c = c.data();
  p.ldc = c.stride();
  p.alpha = options.alpha;
  p.beta = options.beta;
  p.column_bias = options.column_bias.empty() ? nullptr : options.column_bias.data();
  p.activation = options.activation;

  const std::size_t threads = static_cast<std::size_t>(std::max(1, thread_count()));
  const auto block = [&](std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1) {
    kernels::GemmBlock(p, i0, i1, j0, j1);
    if (options.then && i0 < i1 && j0 < j1) options.then(i0, i1, j0, j1);
  };
  if (threads == 1 || m * n * std::max<std::size_t>(k, 1) <= kSerialWork) return block(0, m, 0, n);
  // Each thread takes whole rows of C when B is read in place (threads then never write
  // the same cache line of C) or when it has rows enough to repay packing all of B, else column
  // groups of whole panels, so that each thread packs only its share of B (as the binary kernel
  // may); rows too when there are fewer panels than threads.
  const std::size_t width = kernels::GemmPanelWidth();
  const std::size_t panels = (n + width - 1) / width;
  const bool by_rows = !options.a_binary && m >= kRowsPerThread * threads &&
                       (kernels::ReadsBInPlace(m, k, b.stride(), options.transpose_b, width) ||
                        m >= kRowsPerThreadPackingAllOfB * threads);
  const std::size_t col_groups = by_rows ? 1 : std::min(panels, threads);
  const std::size_t row_groups = by_rows ? threads : std::min((threads + col_groups - 1) / col_groups, (m + 5) / 6);
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, col_groups * row_groups, 1),
      [&](const tbb::blocked_range<std::size_t>& range) {
        for (std::size_t task = range.begin(); task != range.end(); ++task) {
          const std::size_t cg = task % col_groups, rg = task / col_groups;
          const std::size_t j0 = std::min(n, panels * cg / col_groups * width);
          const std::size_t j1 = std::min(n, panels * (cg + 1) / col_groups * width);
          const std::size_t i0 = m * rg / row_groups, i1 = m * (rg + 1) / row_groups;
          block(i0, i1, j0, j1);
        }
      },
      tbb::static_partitioner());
}

BinaryBounds binary_bounds() { return kernels::GemmBinaryBounds(); }

bool transposed_product_reads_b_in_place(std::size_t m, std::size_t n, std::size_t k) {
  return kernels::DotKernelFits(m, k) || flips(m, n, k);
}

void transpose(ConstView<float> in, MatrixView<float> out) {
  expect_shape("transpose: the output", out.shape(), {in.cols(), in.rows()});
  const std::size_t rows = in.rows(), cols = in.cols();
  // Each task takes a band of input rows, so a line of the output is written by at most two.
  constexpr std::size_t kBand = 64;
  const std::size_t bands = (rows + kBand - 1) / kBand;
  const auto band = [&](std::size_t b) {
    const std::size_t r0 = b * kBand, r = std::min(kBand, rows - r0);
    kernels::Transpose(in.data() + r0 * in.stride(), in.stride(), r, cols, out.data() + r0, out.stride());
  };
  if (thread_count() == 1 || rows * cols <= kSerialWork) {
    for (std::size_t b = 0; b < bands; ++b) band(b);
    return;
  }
  tbb::parallel_for(std::size_t{0}, bands, band, tbb::static_partitioner());
}

}  // namespace gibbs::simd
