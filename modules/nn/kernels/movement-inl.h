// Per-target bodies of the data-movement kernels. Short runs (11 and 26 floats in the W6 CNN)
// end in a masked vector where the target has true masked loads and stores (AVX2 and up); on
// SSE4 the tail is scalar, which gives the same bits: copies, single additions, comparisons.
#if defined(GIBBS_NN_MOVEMENT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_NN_MOVEMENT_INL_H_
#undef GIBBS_NN_MOVEMENT_INL_H_
#else
#define GIBBS_NN_MOVEMENT_INL_H_
#endif

#include <cstddef>

#include <hwy/highway.h>

#include "modules/nn/kernels/movement.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace movement {
using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;
constexpr std::size_t kMaxLanes = hn::MaxLanes(DF());
// True masked loads (no access to masked-off lanes) and stores (no write to them).
constexpr bool kMasked = HWY_TARGET <= HWY_AVX2 && HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128;

// Loads the lanes of `mask` from p (unaligned), the others zero; whole: all lanes, no mask.
// (Highway 1.0.3's MaskedLoad is an aligned load on SSE4: only kMasked targets get a mask.)
HWY_INLINE VF LoadLanes(hn::Mask<DF> mask, bool whole, const float* p) {
  const DF d;
  if (whole || !kMasked) return hn::LoadU(d, p);
  return hn::MaskedLoad(mask, d, p);
}
HWY_INLINE void StoreLanes(VF v, hn::Mask<DF> mask, bool whole, float* p) {
  const DF d;
  if (whole || !kMasked) return hn::StoreU(v, d, p);
  hn::BlendedStore(v, mask, d, p);
}

// vector(i, mask, whole) over [0, width): whole vectors, then the tail masked (kMasked) or
// scalar(i) element by element.
template <class Vector, class Scalar>
HWY_INLINE void Run(std::size_t width, const Vector& vector, const Scalar& scalar) {
  const DF d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= width; i += lanes) vector(i, hn::FirstN(d, lanes), true);
  if (i == width) return;
  if constexpr (kMasked) {
    vector(i, hn::FirstN(d, width - i), false);
  } else {
    for (; i < width; ++i) scalar(i);
  }
}
}  // namespace movement

HWY_NOINLINE void CopyRunsImpl(const float* src, std::size_t src_stride, float* dst, std::size_t rows,
                               std::size_t width) {
  for (std::size_t r = 0; r < rows; ++r, src += src_stride, dst += width)
    movement::Run(
        width,
        [&](std::size_t i, auto mask, bool whole) HWY_ATTR {
          movement::StoreLanes(movement::LoadLanes(mask, whole, src + i), mask, whole, dst + i);
        },
        [&](std::size_t i) { dst[i] = src[i]; });
}

HWY_NOINLINE void AddRunsImpl(const float* src, float* dst, std::size_t dst_stride, std::size_t rows,
                              std::size_t width) {
  const movement::DF d;
  // Rows closer than a vector apart are taken in interleaved passes (0, 2, 4, …, then 1, 3, …
  // when two rows fit in a vector): the load of a row right after the masked store of the row
  // before it, whose vector span it overlaps, would wait for that store (no forwarding).
  const std::size_t lanes = hn::Lanes(d);
  const std::size_t step = dst_stride >= lanes ? 1 : (lanes + dst_stride - 1) / dst_stride;
  for (std::size_t first = 0; first < step && first < rows; ++first)
    for (std::size_t r = first; r < rows; r += step) {
      const float* s = src + r * width;
      float* t = dst + r * dst_stride;
      movement::Run(
          width,
          [&](std::size_t i, auto mask, bool whole) HWY_ATTR {
            const movement::VF sum = hn::Add(movement::LoadLanes(mask, whole, t + i), movement::LoadLanes(mask, whole, s + i));
            movement::StoreLanes(sum, mask, whole, t + i);
          },
          [&](std::size_t i) { t[i] += s[i]; });
    }
}

HWY_NOINLINE void MaxPool2x2RowImpl(const float* top, const float* bottom, float* y, std::size_t count) {
  using movement::VF;
  const movement::DF d;
  const std::size_t lanes = hn::Lanes(d);
  // Whether v replaces best: !(v <= best) and best is not NaN.
  const auto take = [](VF v, VF best) HWY_ATTR { return hn::IfThenElse(hn::AndNot(hn::Le(v, best), hn::Eq(best, best)), v, best); };
  // The outputs [o, o + lanes) from inputs [2o, 2o + 2·lanes) of each row; `inputs` of them valid.
  const auto windows = [&](std::size_t o, std::size_t inputs) HWY_ATTR {
    const bool whole = inputs == 2 * lanes;
    const auto lo = hn::FirstN(d, inputs), hi = hn::FirstN(d, inputs > lanes ? inputs - lanes : 0);
    const float* t = top + 2 * o;
    const float* b = bottom + 2 * o;
    const VF t0 = movement::LoadLanes(lo, whole, t), t1 = movement::LoadLanes(hi, whole, t + lanes);
    const VF b0 = movement::LoadLanes(lo, whole, b), b1 = movement::LoadLanes(hi, whole, b + lanes);
    VF best = hn::ConcatEven(d, t1, t0);
    best = take(hn::ConcatOdd(d, t1, t0), best);
    best = take(hn::ConcatEven(d, b1, b0), best);
    return take(hn::ConcatOdd(d, b1, b0), best);
  };
  std::size_t o = 0;
  for (; o + lanes <= count; o += lanes) hn::StoreU(windows(o, 2 * lanes), d, y + o);
  if (o == count) return;
  if constexpr (movement::kMasked) {
    hn::BlendedStore(windows(o, 2 * (count - o)), hn::FirstN(d, count - o), d, y + o);
  } else {
    for (; o < count; ++o) {
      const float* t = top + 2 * o;
      const float* b = bottom + 2 * o;
      float best = t[0];
      for (const float v : {t[1], b[0], b[1]}) best = !(v <= best) && best == best ? v : best;
      y[o] = best;
    }
  }
}

HWY_NOINLINE void MaxPool2x2BackwardRowImpl(const float* top, const float* bottom, const float* y, const float* dy,
                                            float* top_dx, float* bottom_dx, std::size_t count) {
  using movement::VF;
  const movement::DF d;
  const std::size_t lanes = hn::Lanes(d);
  const auto scalar = [&](std::size_t o) {
    const float x[4] = {top[2 * o], top[2 * o + 1], bottom[2 * o], bottom[2 * o + 1]};
    const float m = y[o];
    std::size_t at = 0;
    if (m != m) {  // the scan's rule, which ends at the first NaN
      for (std::size_t k = 1; k < 4; ++k)
        if (!(x[k] <= x[at]) && x[at] == x[at]) at = k;
    } else {
      at = x[0] == m ? 0 : x[1] == m ? 1 : x[2] == m ? 2 : 3;
    }
    top_dx[2 * o] = top_dx[2 * o + 1] = bottom_dx[2 * o] = bottom_dx[2 * o + 1] = 0.0f;
    (at < 2 ? top_dx : bottom_dx)[2 * o + at % 2] = dy[o];
  };
  // Outputs [o, o + n), n ≤ lanes; false (nothing written) when one of them is NaN.
  const auto chunk = [&](std::size_t o, std::size_t n) HWY_ATTR {
    const bool whole = n == lanes;
    const auto outs = hn::FirstN(d, n), lo = hn::FirstN(d, 2 * n), hi = hn::FirstN(d, 2 * n > lanes ? 2 * n - lanes : 0);
    const VF m = movement::LoadLanes(outs, whole, y + o);
    if (!hn::AllTrue(d, hn::Eq(m, m))) return false;
    const VF g = movement::LoadLanes(outs, whole, dy + o);
    const float* t = top + 2 * o;
    const float* b = bottom + 2 * o;
    const VF t0 = movement::LoadLanes(lo, whole, t), t1 = movement::LoadLanes(hi, whole, t + lanes);
    const VF b0 = movement::LoadLanes(lo, whole, b), b1 = movement::LoadLanes(hi, whole, b + lanes);
    const auto e0 = hn::Eq(hn::ConcatEven(d, t1, t0), m), e1 = hn::Eq(hn::ConcatOdd(d, t1, t0), m);
    const auto e2 = hn::Eq(hn::ConcatEven(d, b1, b0), m), e01 = hn::Or(e0, e1);
    const VF top_even = hn::IfThenElseZero(e0, g), top_odd = hn::IfThenElseZero(hn::AndNot(e0, e1), g);
    const VF bottom_even = hn::IfThenElseZero(hn::AndNot(e01, e2), g);
    const VF bottom_odd = hn::IfThenElseZero(hn::Not(hn::Or(e01, e2)), g);
    if (whole) {
      hn::StoreInterleaved2(top_even, top_odd, d, top_dx + 2 * o);
      hn::StoreInterleaved2(bottom_even, bottom_odd, d, bottom_dx + 2 * o);
      return true;
    }
    // A partial chunk only on kMasked targets: interleaved through a buffer, then masked
    // stores of its 2n values (no call to memcpy for every row of a narrow image).
    HWY_ALIGN float buffer[2 * movement::kMaxLanes];
    hn::StoreInterleaved2(top_even, top_odd, d, buffer);
    hn::BlendedStore(hn::Load(d, buffer), lo, d, top_dx + 2 * o);
    hn::BlendedStore(hn::Load(d, buffer + lanes), hi, d, top_dx + 2 * o + lanes);
    hn::StoreInterleaved2(bottom_even, bottom_odd, d, buffer);
    hn::BlendedStore(hn::Load(d, buffer), lo, d, bottom_dx + 2 * o);
    hn::BlendedStore(hn::Load(d, buffer + lanes), hi, d, bottom_dx + 2 * o + lanes);
    return true;
  };
  std::size_t o = 0;
  for (; o + lanes <= count; o += lanes)
    if (!chunk(o, lanes))
      for (std::size_t k = 0; k < lanes; ++k) scalar(o + k);
  if (o == count) return;
  if (movement::kMasked && chunk(o, count - o)) return;
  for (; o < count; ++o) scalar(o);
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
