// Plain declarations of the single-precision GEMM kernel (no Highway types).
#pragma once
#include <cstddef>

#include "modules/simd/kernels/activation.h"

namespace gibbs::kernels {

// C = act(alpha·op(A)·op(B) + beta·C + column_bias), op(A) m×k, op(B) k×n, C m×n.
struct GemmProblem {
  std::size_t m = 0, n = 0, k = 0;
  const float* a = nullptr;  // op(A)(i, p) = a[i * a_row_stride + p * a_col_stride]
  std::size_t a_row_stride = 0, a_col_stride = 0;
  const float* b = nullptr;  // op(B)(p, j) = b[p * ldb + j], or b[j * ldb + p] when b_transposed
  std::size_t ldb = 0;
  bool b_transposed = false;
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

// Up to this K, B is read in place (when not transposed) in one pass over K.
inline constexpr std::size_t kGemmMaxSinglePassK = 1024;

// The width of the kernel's column panel on the best target; split N at multiples of it.
std::size_t GemmPanelWidth();

// out[c * out_stride + r] = in[r * in_stride + c] for r < rows, c < cols (the blocks must not
// overlap).
void Transpose(const float* in, std::size_t in_stride, std::size_t rows, std::size_t cols, float* out,
               std::size_t out_stride);

}  // namespace gibbs::kernels
