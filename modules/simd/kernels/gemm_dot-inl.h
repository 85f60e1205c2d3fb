// Per-target dot-product GEMM for C = A·Bᵀ with few rows: both operands are read along K
// where they are contiguous, so B needs no transposing pack. Tiles of 4 rows of A × 4 rows
// of B (3 × 3 on AVX2) keep a vector accumulator each, reduced to a scalar at the end.
#if defined(GIBBS_SIMD_GEMM_DOT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_SIMD_GEMM_DOT_INL_H_
#undef GIBBS_SIMD_GEMM_DOT_INL_H_
#else
#define GIBBS_SIMD_GEMM_DOT_INL_H_
#endif

#include <algorithm>
#include <cstddef>

#include <hwy/highway.h>

#include "modules/simd/kernels/gemm.h"
#include "modules/simd/kernels/gemm_epilogue-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Rows of A and of B per tile: 4 × 4 accumulators and 8 loaded vectors fit 32 registers; in 16,
// 3 × 3 and 6.
constexpr std::size_t kDotRows = kVectorRegisters >= 32 ? 4 : 3;

template <std::size_t kA, std::size_t kB, std::size_t kI = 0>
HWY_INLINE void DotStep(DF d, const VF (&va)[kA], const VF (&vb)[kB], VF (&acc)[kA * kB]) {
  if constexpr (kI < kA * kB) {
    acc[kI] = hn::MulAdd(va[kI / kB], vb[kI % kB], acc[kI]);
    DotStep<kA, kB, kI + 1>(d, va, vb, acc);
  }
}

template <std::size_t kN, std::size_t kI = 0>
HWY_INLINE void LoadRows(DF d, const float* const (&rows)[kN], std::size_t p, std::size_t count, VF (&out)[kN]) {
  if constexpr (kI < kN) {
    out[kI] = count == kLanes ? hn::LoadU(d, rows[kI] + p) : LoadPartial(d, rows[kI] + p, count);
    LoadRows<kN, kI + 1>(d, rows, p, count, out);
  }
}

// kA × kB block of C = A[i0..] · B[j0..]ᵀ over all K, then alpha and beta per element (the bias
// and activation are DotBlock's, on wider blocks).
template <std::size_t kA, std::size_t kB>
HWY_NOINLINE void DotTile(const GemmProblem& pr, std::size_t i0, std::size_t j0, const PassEpilogue& epilogue) {
  const PassEpilogue e = epilogue;  // a copy, as Tile takes it
  const DF d;
  const float* a_rows[kA];
  const float* b_rows[kB];
  for (std::size_t r = 0; r < kA; ++r) a_rows[r] = pr.a + (i0 + r) * pr.a_row_stride;
  for (std::size_t s = 0; s < kB; ++s) b_rows[s] = pr.b + (j0 + s) * pr.ldb;
  VF acc[kA * kB];
  for (VF& v : acc) v = hn::Zero(d);
  std::size_t p = 0;
  for (; p + kLanes <= pr.k; p += kLanes) {
    VF va[kA], vb[kB];
    LoadRows<kA>(d, a_rows, p, kLanes, va);
    LoadRows<kB>(d, b_rows, p, kLanes, vb);
    DotStep<kA, kB>(d, va, vb, acc);
  }
  if (p < pr.k) {  // zero-padded tail: the padding contributes exact zeros
    VF va[kA], vb[kB];
    LoadRows<kA>(d, a_rows, p, pr.k - p, va);
    LoadRows<kB>(d, b_rows, p, pr.k - p, vb);
    DotStep<kA, kB>(d, va, vb, acc);
  }
  for (std::size_t r = 0; r < kA; ++r) {
    HWY_ALIGN float sums[kLanes] = {};
    for (std::size_t s = 0; s < kB; ++s) sums[s] = hn::GetLane(hn::SumOfLanes(d, acc[r * kB + s]));
    StoreVector(d, hn::Load(d, sums), pr.c + (i0 + r) * pr.ldc + j0, kB, e);
  }
}

using DotTileFn = void (*)(const GemmProblem&, std::size_t, std::size_t, const PassEpilogue&);

// The tile kernel for a_rows × b_rows, each at most kDotRows.
template <std::size_t kA = kDotRows, std::size_t kB = kDotRows>
HWY_INLINE DotTileFn DotTileFor(std::size_t a_rows, std::size_t b_rows) {
  if constexpr (kA > 1) {
    if (a_rows < kA) return DotTileFor<kA - 1, kB>(a_rows, b_rows);
  }
  if constexpr (kB > 1) {
    if (b_rows < kB) return DotTileFor<kA, kB - 1>(a_rows, b_rows);
  }
  return &DotTile<kA, kB>;
}

// Rows [m0, m1) × columns [n0, n1) of C = A·Bᵀ (A not transposed). B's 4-row groups are
// the outer loop so that they stay in L1 while every row group of A passes by. The bias and
// activation go over a vector's width of columns at a time, all rows, still in L1: one 4 × 4
// tile at a time filled a quarter of each vector (the RBM's sigmoid of h·Wᵀ cost 4 times over).
HWY_INLINE void DotBlock(const GemmProblem& pr, std::size_t m0, std::size_t m1, std::size_t n0, std::size_t n1) {
  const PassEpilogue e(pr, true, true);
  for (std::size_t j0 = n0; j0 < n1; j0 += kLanes) {
    const std::size_t j1 = std::min(j0 + kLanes, n1);
    for (std::size_t j = j0; j < j1; j += kDotRows) {
      const std::size_t b_rows = std::min(kDotRows, j1 - j);
      for (std::size_t i = m0; i < m1; i += kDotRows) DotTileFor(std::min(kDotRows, m1 - i), b_rows)(pr, i, j, e);
    }
    if (e.finish)
      FinishTile(pr.c + m0 * pr.ldc + j0, pr.ldc, m1 - m0, j1 - j0,
                 e.column_bias != nullptr ? e.column_bias + j0 : nullptr, e.activation);
  }
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
