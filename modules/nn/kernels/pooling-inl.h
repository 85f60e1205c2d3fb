// Per-target bodies of the 2×2 max pooling of whole planes, forward and backward, one output
// row at a time. A row's last partial vector is masked where the target has true masked loads
// and stores (masked-inl.h), else taken element by element. The loop over rows sits inside the
// kernel: a CNN's planes are narrow (13 outputs a row), and a dispatched call per row cost more
// than the row.
#if defined(GIBBS_NN_POOLING_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_NN_POOLING_INL_H_
#undef GIBBS_NN_POOLING_INL_H_
#else
#define GIBBS_NN_POOLING_INL_H_
#endif

#include <cstddef>

#include <hwy/highway.h>

#include "modules/nn/kernels/masked-inl.h"
#include "modules/nn/kernels/pooling.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

HWY_INLINE void MaxPool2x2Row(const float* top, const float* bottom, float* y, std::size_t count) {
  using masked::VF;
  const masked::DF d;
  const std::size_t lanes = hn::Lanes(d);
  // Whether v replaces best: !(v <= best) and best is not NaN.
  const auto take = [](VF v, VF best)
                        HWY_ATTR { return hn::IfThenElse(hn::AndNot(hn::Le(v, best), hn::Eq(best, best)), v, best); };
  // The outputs [o, o + lanes) from inputs [2o, 2o + 2·lanes) of each row; `inputs` of them valid.
  const auto windows = [&](std::size_t o, std::size_t inputs) HWY_ATTR {
    const bool whole = inputs == 2 * lanes;
    const auto lo = hn::FirstN(d, inputs), hi = hn::FirstN(d, inputs > lanes ? inputs - lanes : 0);
    const float* t = top + 2 * o;
    const float* b = bottom + 2 * o;
    const VF t0 = masked::LoadLanes(lo, whole, t), t1 = masked::LoadLanes(hi, whole, t + lanes);
    const VF b0 = masked::LoadLanes(lo, whole, b), b1 = masked::LoadLanes(hi, whole, b + lanes);
    VF best = hn::ConcatEven(d, t1, t0);
    best = take(hn::ConcatOdd(d, t1, t0), best);
    best = take(hn::ConcatEven(d, b1, b0), best);
    return take(hn::ConcatOdd(d, b1, b0), best);
  };
  std::size_t o = 0;
  for (; o + lanes <= count; o += lanes) hn::StoreU(windows(o, 2 * lanes), d, y + o);
  if (o == count) return;
  if constexpr (masked::kNative) {
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

HWY_INLINE void MaxPool2x2BackwardRow(const float* top, const float* bottom, const float* y, const float* dy,
                                      float* top_dx, float* bottom_dx, std::size_t count) {
  using masked::VF;
  const masked::DF d;
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
    const auto outs = hn::FirstN(d, n), lo = hn::FirstN(d, 2 * n),
               hi = hn::FirstN(d, 2 * n > lanes ? 2 * n - lanes : 0);
    const VF m = masked::LoadLanes(outs, whole, y + o);
    if (!hn::AllTrue(d, hn::Eq(m, m))) return false;
    const VF g = masked::LoadLanes(outs, whole, dy + o);
    const float* t = top + 2 * o;
    const float* b = bottom + 2 * o;
    const VF t0 = masked::LoadLanes(lo, whole, t), t1 = masked::LoadLanes(hi, whole, t + lanes);
    const VF b0 = masked::LoadLanes(lo, whole, b), b1 = masked::LoadLanes(hi, whole, b + lanes);
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
    // A partial chunk only on masked::kNative targets: interleaved through a buffer, then masked
    // stores of its 2n values (no call to memcpy for every row of a narrow image).
    HWY_ALIGN float buffer[2 * masked::kMaxLanes];
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
  if (masked::kNative && chunk(o, count - o)) return;
  for (; o < count; ++o) scalar(o);
}

HWY_NOINLINE void MaxPool2x2Impl(const float* x, std::size_t planes, std::size_t height, std::size_t width, float* y) {
  const std::size_t rows = height / 2, count = width / 2;
  for (std::size_t p = 0; p < planes; ++p, x += height * width)
    for (std::size_t r = 0; r < rows; ++r, y += count)
      MaxPool2x2Row(x + 2 * r * width, x + (2 * r + 1) * width, y, count);
}

HWY_NOINLINE void MaxPool2x2BackwardImpl(const float* x, const float* y, const float* dy, std::size_t planes,
                                         std::size_t height, std::size_t width, float* dx) {
  const std::size_t rows = height / 2, count = width / 2, covered = 2 * count;
  for (std::size_t p = 0; p < planes; ++p, x += height * width, dx += height * width) {
    for (std::size_t r = 0; r < rows; ++r, y += count, dy += count) {
      float* top = dx + 2 * r * width;
      MaxPool2x2BackwardRow(x + 2 * r * width, x + (2 * r + 1) * width, y, dy, top, top + width, count);
      for (std::size_t c = covered; c < width; ++c) top[c] = top[width + c] = 0.0f;
    }
    for (std::size_t c = 2 * rows * width; c < height * width; ++c) dx[c] = 0.0f;
  }
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
