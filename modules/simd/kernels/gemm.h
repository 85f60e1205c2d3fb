// Plain declarations of the single-precision GEMM kernel (no Highway types).
#pragma once
#include <algorithm>
#include <cstddef>

#include "modules/simd/kernels/activation.h"

namespace gibbs::kernels {

// The shares of ones up to which a binary A's rows are summed as lists of B's rows, by how the
// binary kernel reads B: the shares at which it and the tile kernel break even on this CPU.
struct BinaryBounds {
  double in_place = 0;  // B's rows read where they are
  double packed = 0;    // B packed into chunks first (from Bᵀ, or rows that alias in L1)
};

// C = act(alpha·op(A)·op(B) + beta·C + column_bias), op(A) m×k, op(B) k×n, C m×n.
struct GemmProblem {
  std::size_t m = 0, n = 0, k = 0;
  const float* a = nullptr;  // op(A)(i, p) = a[i * a_row_stride + p * a_col_stride]
  std::size_t a_row_stride = 0, a_col_stride = 0;
  const float* b = nullptr;  // op(B)(p, j) = b[p * ldb + j], or b[j * ldb + p] when b_transposed
  std::size_t ldb = 0;
  bool b_transposed = false;
  bool dot_allowed = true;     // the dot-product kernel where m is small (GemmOptions::same_bits_per_row)
  bool a_binary = false;       // A is likely all zeros and ones (GemmOptions::a_binary)
  BinaryBounds binary_bounds;  // with a_binary: GemmBinaryBounds()
  float* c = nullptr;
  std::size_t ldc = 0;
  float alpha = 1.0f, beta = 0.0f;
  const float* column_bias = nullptr;  // n values, or null
  Activation activation = Activation::kIdentity;
};

// Computes the block rows [m_begin, m_end) × columns [n_begin, n_end) of C on the best
// target, over the whole of K. Blocks that do not overlap may run on different threads;
// every element's arithmetic is the same however C is cut into blocks.
void GemmBlock(const GemmProblem& problem, std::size_t m_begin, std::size_t m_end, std::size_t n_begin,
               std::size_t n_end);

// Up to this K, the kernel takes all of K in one pass.
inline constexpr std::size_t kGemmMaxSinglePassK = 1024;
// Bytes of B one thread keeps in L2 while its row tiles reuse them: three quarters of a core's L2
// as the C library reports it (768 KiB of Zen 4's 1 MiB, 384 KiB of Zen 3's 512 KiB), 768 KiB
// where it does not say. It sets how many panels a pass takes, never the order of a sum.
std::size_t GemmL2Budget();

// C = A·Bᵀ with at most this many rows, over a K at least this long, takes the dot-product
// kernel: packing Bᵀ would cost more than the tile reductions. Shorter dot products spend more
// on their final sums than the packing costs (32×10×400: 16 GFLOP/s against 118 packed).
inline constexpr std::size_t kGemmDotMaxRows = 48;
inline constexpr std::size_t kGemmDotMinK = 256;
inline bool DotKernelFits(std::size_t m, std::size_t k) { return m <= kGemmDotMaxRows && k >= kGemmDotMinK; }

// The largest power of two that divides a row stride of ld floats, in bytes: rows that far apart
// fall on the same cache sets.
inline std::size_t StrideAlignment(std::size_t ld) {
  const std::size_t bytes = ld * sizeof(float);
  return bytes & (~bytes + 1);
}

// A block of at most this many rows of C takes each panel of B through all its row tiles before
// the next panel (the tile kernel's 6 rows, 4 tiles).
inline constexpr std::size_t kGemmPanelOuterMaxRows = 24;

// Whether op(B) = B, k × n with rows ldb floats apart, is read in place, for a block of `rows`
// rows of C, rather than packed into panels `panel_width` floats wide.
// - A panel's row in place touches one line more than it uses, unless B's rows start on lines: a
//   quarter more lines from L2 for AVX-512's panel of 4 lines, twice as many for AVX2's panel of
//   one line. So one-line panels of such rows are packed when more than 4 row tiles reuse them:
//   on Zen 3, one thread, 128×784×500 ran at 57–65 GFLOP/s in place and 75–88 packed, and a W2
//   epoch took 3.0–3.6 s instead of 3.5–4.2 s. With 4 tiles or fewer, or rows on lines, packing
//   costs more than it saves (20×500×784: 0.77–1.05 of oneDNN in place, 0.60–0.63 packed).
// - It must fit one pass, and its rows must not alias in L2: row starts a multiple of g = 2^s
//   bytes apart fall on only way/g of a way's sets, so k rows ask those sets for k·g bytes of the
//   L2. Up to twice the L2 (1 MiB on Zen 4 and 5), the misses cost less than packing B on every
//   call (64×512×1024 on Zen 5); beyond it, packing wins: 2048×512×2048 (8 KiB a row, 4 MiB) runs
//   15% faster packed. Without such a g, the chunk of B kept in L2 is sized to fit.
inline bool ReadsBInPlace(std::size_t rows, std::size_t k, std::size_t ldb, bool b_transposed,
                          std::size_t panel_width) {
  constexpr std::size_t kLine = 64, kWay = 64 * 1024;  // the smallest L2 way among x86 cores
  constexpr std::size_t kAliasedBytes = 2 * 1024 * 1024;
  if (b_transposed || k > kGemmMaxSinglePassK) return false;
  const std::size_t alignment = StrideAlignment(ldb);
  if (panel_width * sizeof(float) <= kLine && alignment < kLine && rows > kGemmPanelOuterMaxRows) return false;
  const std::size_t g = std::clamp<std::size_t>(alignment, kLine, kWay);
  return k * g <= kAliasedBytes;
}

// The binary kernel's bounds on the best target, timed on the first call and kept for the process.
// They follow the FMA's throughput against the adds' loads: on Zen 4 (one 512-bit FMA a cycle) the
// binary kernel gained up to 0.6 ones, on Zen 5 (two) to 0.29–0.35 with B in place and 0.43–0.51
// packed. Either kernel gives the same bits.
BinaryBounds GemmBinaryBounds();
// A binary A of fewer rows against Bᵀ is computed as (B·Aᵀ)ᵀ, dense: packing Bᵀ for the binary
// kernel would cost more than the zeros save.
inline constexpr std::size_t kGemmBinaryMinRowsTransposed = 32;

// The width of the kernel's column panel on the best target; split N at multiples of it.
std::size_t GemmPanelWidth();

// out[c * out_stride + r] = in[r * in_stride + c] for r < rows, c < cols (the blocks must not
// overlap).
void Transpose(const float* in, std::size_t in_stride, std::size_t rows, std::size_t cols, float* out,
               std::size_t out_stride);

}  // namespace gibbs::kernels
