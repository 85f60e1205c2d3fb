// Per-target body of the Gram tile: blocks of 4 rows of the tile by 3 vectors of columns held in
// registers over the whole panel (an outer-product update per panel row: a broadcast of
// p[r, i] times a load of p[r, j..]); leftover rows one at a time, leftover columns by scalars.
#if defined(GIBBS_LINALG_GRAM_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_LINALG_GRAM_INL_H_
#undef GIBBS_LINALG_GRAM_INL_H_
#else
#define GIBBS_LINALG_GRAM_INL_H_
#endif

#include <cstddef>

#include <hwy/highway.h>

#include "modules/linalg/kernels/gram.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace gram {
using DD = hn::ScalableTag<double>;
using VD = hn::Vec<DD>;

// c[i + a, j + v·lanes ...] += Σ_r p[r, i + a] · p[r, j + v·lanes ...] for a < kRows, v < kVectors.
template <std::size_t kRows, std::size_t kVectors>
HWY_INLINE void Block(const double* p, std::size_t ldp, std::size_t rows, std::size_t i, std::size_t j, double* c,
                      std::size_t ldc) {
  const DD d;
  const std::size_t lanes = hn::Lanes(d);
  VD sum[kRows][kVectors];
  for (std::size_t a = 0; a < kRows; ++a)
    for (std::size_t v = 0; v < kVectors; ++v) sum[a][v] = hn::Zero(d);
  for (std::size_t r = 0; r < rows; ++r) {
    const double* row = p + r * ldp;
    VD b[kVectors];
    for (std::size_t v = 0; v < kVectors; ++v) b[v] = hn::LoadU(d, row + j + v * lanes);
    for (std::size_t a = 0; a < kRows; ++a) {
      const VD s = hn::Set(d, row[i + a]);
      for (std::size_t v = 0; v < kVectors; ++v) sum[a][v] = hn::MulAdd(s, b[v], sum[a][v]);
    }
  }
  for (std::size_t a = 0; a < kRows; ++a)
    for (std::size_t v = 0; v < kVectors; ++v) {
      double* out = c + (i + a) * ldc + j + v * lanes;
      hn::StoreU(hn::Add(hn::LoadU(d, out), sum[a][v]), d, out);
    }
}

// The tile's columns [j0, j1) for its rows [i, i + kRows).
template <std::size_t kRows>
HWY_INLINE void Rows(const double* p, std::size_t ldp, std::size_t rows, std::size_t i, std::size_t j0, std::size_t j1,
                     double* c, std::size_t ldc) {
  const std::size_t lanes = hn::Lanes(DD());
  std::size_t j = j0;
  for (; j + 3 * lanes <= j1; j += 3 * lanes) Block<kRows, 3>(p, ldp, rows, i, j, c, ldc);
  for (; j + lanes <= j1; j += lanes) Block<kRows, 1>(p, ldp, rows, i, j, c, ldc);
  for (; j < j1; ++j)
    for (std::size_t a = 0; a < kRows; ++a) {
      double sum = 0;
      for (std::size_t r = 0; r < rows; ++r) sum += p[r * ldp + i + a] * p[r * ldp + j];
      c[(i + a) * ldc + j] += sum;
    }
}
}  // namespace gram

HWY_NOINLINE void GramTileImpl(const double* p, std::size_t ldp, std::size_t rows, std::size_t i0, std::size_t i1,
                               std::size_t j0, std::size_t j1, double* c, std::size_t ldc) {
  std::size_t i = i0;
  for (; i + 4 <= i1; i += 4) gram::Rows<4>(p, ldp, rows, i, j0, j1, c, ldc);
  for (; i < i1; ++i) gram::Rows<1>(p, ldp, rows, i, j0, j1, c, ldc);
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
