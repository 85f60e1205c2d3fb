// Per-target dot-product GEMM for C = A·Bᵀ with few rows: both operands are read along K
// where they are contiguous, so B needs no transposing pack. Tiles of 4 rows of A × 4 rows
// of B keep 16 vector accumulators; each is reduced to a scalar at the end.
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

constexpr std::size_t kDotRows = 4;  // rows of A and of B per tile

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
HWY_NOINLINE void DotTile(const GemmProblem& pr, std::size_t i0, std::size_t j0, PassEpilogue e) {
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

using DotTileFn = void (*)(const GemmProblem&, std::size_t, std::size_t, PassEpilogue);

template <std::size_t kA>
HWY_INLINE DotTileFn DotTileForB(std::size_t b_rows) {
  switch (b_rows) {
    case 1: return &DotTile<kA, 1>;
    case 2: return &DotTile<kA, 2>;
    case 3: return &DotTile<kA, 3>;
    default: return &DotTile<kA, 4>;
  }
}

HWY_INLINE DotTileFn DotTileFor(std::size_t a_rows, std::size_t b_rows) {
  switch (a_rows) {
    case 1: return DotTileForB<1>(b_rows);
    case 2: return DotTileForB<2>(b_rows);
    case 3: return DotTileForB<3>(b_rows);
    default: return DotTileForB<4>(b_rows);
  }
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
