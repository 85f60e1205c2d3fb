// Per-target bodies of im2col's and col2im's row runs. Short runs (11 and 26 floats in the W6
// CNN) end in a masked vector where the target has true masked loads and stores (masked-inl.h).
#if defined(GIBBS_NN_IM2COL_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_NN_IM2COL_INL_H_
#undef GIBBS_NN_IM2COL_INL_H_
#else
#define GIBBS_NN_IM2COL_INL_H_
#endif

#include <cstddef>

#include <hwy/highway.h>

#include "modules/nn/kernels/im2col.h"
#include "modules/simd/kernels/masked-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace im2col {
// vector(i, mask, whole) over [0, width): whole vectors, then the tail masked (masked::kNative)
// or scalar(i) element by element.
template <class Vector, class Scalar>
HWY_INLINE void Run(std::size_t width, const Vector& vector, const Scalar& scalar) {
  const masked::DF d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= width; i += lanes) vector(i, hn::FirstN(d, lanes), true);
  if (i == width) return;
  if constexpr (masked::kNative) {
    vector(i, hn::FirstN(d, width - i), false);
  } else {
    for (; i < width; ++i) scalar(i);
  }
}
}  // namespace im2col

HWY_NOINLINE void CopyRunsImpl(const float* src, std::size_t src_stride, float* dst, std::size_t rows,
                               std::size_t width) {
  for (std::size_t r = 0; r < rows; ++r, src += src_stride, dst += width)
    im2col::Run(
        width,
        [&](std::size_t i, auto mask, bool whole)
            HWY_ATTR { masked::StoreLanes(masked::LoadLanes(mask, whole, src + i), mask, whole, dst + i); },
        [&](std::size_t i) { dst[i] = src[i]; });
}

HWY_NOINLINE void AddRunsImpl(const float* src, float* dst, std::size_t dst_stride, std::size_t rows,
                              std::size_t width) {
  const masked::DF d;
  // Rows closer than a vector apart are taken in interleaved passes (0, 2, 4, …, then 1, 3, …
  // when two rows fit in a vector): the load of a row right after the masked store of the row
  // before it, whose vector span it overlaps, would wait for that store (no forwarding).
  const std::size_t lanes = hn::Lanes(d);
  const std::size_t step = dst_stride >= lanes ? 1 : (lanes + dst_stride - 1) / dst_stride;
  for (std::size_t first = 0; first < step && first < rows; ++first)
    for (std::size_t r = first; r < rows; r += step) {
      const float* s = src + r * width;
      float* t = dst + r * dst_stride;
      im2col::Run(
          width,
          [&](std::size_t i, auto mask, bool whole) HWY_ATTR {
            const masked::VF sum =
                hn::Add(masked::LoadLanes(mask, whole, t + i), masked::LoadLanes(mask, whole, s + i));
            masked::StoreLanes(sum, mask, whole, t + i);
          },
          [&](std::size_t i) { t[i] += s[i]; });
    }
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
