// Single-precision GEMM on row-major views: C = act(alpha·op(A)·op(B) + beta·C + bias).
module;
#include <cstddef>
#include <functional>
#include <span>
#include "modules/simd/kernels/gemm.h"
export module gibbs.simd:gemm;
import gibbs.core;
import :activation;

export namespace gibbs::simd {

struct GemmOptions {
  bool transpose_a = false;  // op(A) = Aᵀ
  bool transpose_b = false;  // op(B) = Bᵀ
  float alpha = 1.0f;
  float beta = 0.0f;                        // 0: C's old values are never read (they may be NaN)
  std::span<const float> column_bias = {};  // empty, or one value per column of C
  Activation activation = Activation::kIdentity;
  // Each row of C the same bits whatever rows of op(A) the call is given, for a caller that cuts
  // them into blocks as the thread count says: no dot-product kernel, which few rows choose.
  bool same_bits_per_row = false;
  // A is likely all zeros and ones (Bernoulli samples): a row of C may then be summed from the rows
  // of op(B) where A's row holds a one. The bits are the same (the sum over K in the same order; a
  // zero adds nothing), given a finite B; a block of A with another value, or too many ones, takes
  // the dense kernel (binary_bounds). Only where A is not transposed and K fits one pass.
  bool a_binary = false;
  // Called on the thread that computed each block [row_begin, row_end) × [col_begin, col_end)
  // of C, once the block is final: to go on with it while it is in that core's cache. The
  // blocks cover C without overlapping; how it is cut depends on the thread count.
  std::function<void(std::size_t row_begin, std::size_t row_end, std::size_t col_begin, std::size_t col_end)> then = {};
};

// C = activation(alpha·op(A)·op(B) + beta·C + column_bias). op(A) is M×K, op(B) K×N and
// C M×N, else ShapeError. Parallel over columns (and rows when C is narrow), never over
// K: the result is bit-identical for any thread count.
void gemm(ConstView<float> a, ConstView<float> b, MatrixView<float> c, const GemmOptions& options = {});
// Whether C = A·Bᵀ, A m × k and B n × k, with beta 0, reads B in place: on the dot-product kernel
// (few rows, a long K; never with same_bits_per_row) or computed as (B·Aᵀ)ᵀ (few rows against
// many columns). Every other product by Bᵀ reorders all of B on every call, as transpose(B)
// would. All of them have the bits of B transposed beforehand and read in place, except the
// dot-product kernel's.
bool transposed_product_reads_b_in_place(std::size_t m, std::size_t n, std::size_t k);
// The shares of ones up to which a block of an a_binary A skips its zeros on the current target,
// whether the binary kernel reads B's rows in place or packs them first (from Bᵀ, or rows a
// multiple of 2 KiB apart): where it and the dense kernel take the same time on this CPU, timed
// on the first call (about 10 ms) and kept for the process; 0 on targets without the kernel.
using BinaryBounds = kernels::BinaryBounds;
BinaryBounds binary_bounds();
// out = inᵀ (out is in.cols() × in.rows(), else ShapeError). For a B that many products take
// transposed: gemm reads B in place, where with transpose_b it reorders B on every call.
void transpose(ConstView<float> in, MatrixView<float> out);

}  // namespace gibbs::simd
