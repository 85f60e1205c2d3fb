// Per-target bodies of the 2×2 max pooling of whole planes, forward and backward, one output
// row at a time. A row's last partial vector is masked where the target has true masked loads
// and stores (masked-inl.h), else taken element by element. The loop over rows sits inside the
// kernel: a CNN's planes are narrow (13 outputs a row), and a dispatched call per row cost more
// than the row. The forward can keep each window's pick, a byte, so that the backward reads those
// instead of the input and output (a CNN's first convolution's output is 5.5 MB a minibatch).
#if defined(GIBBS_NN_POOLING_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_NN_POOLING_INL_H_
#undef GIBBS_NN_POOLING_INL_H_
#else
#define GIBBS_NN_POOLING_INL_H_
#endif

#include <cstddef>
#include <cstdint>

#include <hwy/highway.h>

#include "modules/nn/kernels/pooling.h"
#include "modules/simd/kernels/masked-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The forward of one output row; with picks (not null), each window's pick too (0 top left,
// 1 top right, 2 bottom left, 3 bottom right).
HWY_INLINE void MaxPool2x2Row(const float* top, const float* bottom, float* y, std::uint8_t* picks, std::size_t count) {
  using masked::VF;
  const masked::DF d;
  const hn::RebindToUnsigned<masked::DF> du;
  const hn::Rebind<std::uint8_t, decltype(du)> d8;
  using VU = hn::Vec<decltype(du)>;
  const std::size_t lanes = hn::Lanes(d);
  // Whether v replaces best: !(v <= best) and best is not NaN.
  const auto take = [](VF v, VF best) HWY_ATTR { return hn::AndNot(hn::Le(v, best), hn::Eq(best, best)); };
  // The outputs [o, o + lanes) from inputs [2o, 2o + 2·lanes) of each row; `inputs` of them
  // valid; their picks in pick.
  const auto windows = [&](std::size_t o, std::size_t inputs, VU& pick) HWY_ATTR {
    const bool whole = inputs == 2 * lanes;
    const auto lo = hn::FirstN(d, inputs), hi = hn::FirstN(d, inputs > lanes ? inputs - lanes : 0);
    const float* t = top + 2 * o;
    const float* b = bottom + 2 * o;
    const VF t0 = masked::LoadLanes(lo, whole, t), t1 = masked::LoadLanes(hi, whole, t + lanes);
    const VF b0 = masked::LoadLanes(lo, whole, b), b1 = masked::LoadLanes(hi, whole, b + lanes);
    VF best = hn::ConcatEven(d, t1, t0);
    const VF v1 = hn::ConcatOdd(d, t1, t0), v2 = hn::ConcatEven(d, b1, b0), v3 = hn::ConcatOdd(d, b1, b0);
    const auto m1 = take(v1, best);
    best = hn::IfThenElse(m1, v1, best);
    const auto m2 = take(v2, best);
    best = hn::IfThenElse(m2, v2, best);
    const auto m3 = take(v3, best);
    best = hn::IfThenElse(m3, v3, best);
    if (picks != nullptr) {
      pick = hn::IfThenElseZero(hn::RebindMask(du, m1), hn::Set(du, 1));
      pick = hn::IfThenElse(hn::RebindMask(du, m2), hn::Set(du, 2), pick);
      pick = hn::IfThenElse(hn::RebindMask(du, m3), hn::Set(du, 3), pick);
    }
    return best;
  };
  VU pick = hn::Zero(du);
  std::size_t o = 0;
  for (; o + lanes <= count; o += lanes) {
    hn::StoreU(windows(o, 2 * lanes, pick), d, y + o);
    if (picks != nullptr) hn::StoreU(hn::U8FromU32(pick), d8, picks + o);
  }
  if (o == count) return;
  if constexpr (masked::kNative) {
    hn::BlendedStore(windows(o, 2 * (count - o), pick), hn::FirstN(d, count - o), d, y + o);
    if (picks != nullptr) hn::StoreU(hn::U8FromU32(pick), d8, picks + o);  // into the row's padding
  } else {
    for (; o < count; ++o) {
      const float window[4] = {top[2 * o], top[2 * o + 1], bottom[2 * o], bottom[2 * o + 1]};
      std::uint8_t at = 0;
      for (std::uint8_t k = 1; k < 4; ++k)
        if (!(window[k] <= window[at]) && window[at] == window[at]) at = k;
      y[o] = window[at];
      if (picks != nullptr) picks[o] = at;
    }
  }
}

// Stores the windows [o, o + n) of a backward row, n ≤ lanes: each window's four gradients
// (top left, top right, bottom left, bottom right) interleaved into its two rows. A partial
// chunk only on masked::kNative targets: interleaved through a buffer, then masked stores of its
// 2n values (no call to memcpy for every row of a narrow image).
HWY_INLINE void StoreWindows(masked::VF top_even, masked::VF top_odd, masked::VF bottom_even, masked::VF bottom_odd,
                             float* top_dx, float* bottom_dx, std::size_t o, std::size_t n) {
  const masked::DF d;
  const std::size_t lanes = hn::Lanes(d);
  if (n == lanes) {
    hn::StoreInterleaved2(top_even, top_odd, d, top_dx + 2 * o);
    hn::StoreInterleaved2(bottom_even, bottom_odd, d, bottom_dx + 2 * o);
    return;
  }
  const auto lo = hn::FirstN(d, 2 * n), hi = hn::FirstN(d, 2 * n > lanes ? 2 * n - lanes : 0);
  HWY_ALIGN float buffer[2 * masked::kMaxLanes];
  hn::StoreInterleaved2(top_even, top_odd, d, buffer);
  hn::BlendedStore(hn::Load(d, buffer), lo, d, top_dx + 2 * o);
  hn::BlendedStore(hn::Load(d, buffer + lanes), hi, d, top_dx + 2 * o + lanes);
  hn::StoreInterleaved2(bottom_even, bottom_odd, d, buffer);
  hn::BlendedStore(hn::Load(d, buffer), lo, d, bottom_dx + 2 * o);
  hn::BlendedStore(hn::Load(d, buffer + lanes), hi, d, bottom_dx + 2 * o + lanes);
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
    StoreWindows(top_even, top_odd, bottom_even, bottom_odd, top_dx, bottom_dx, o, n);
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

// The backward of one output row from the forward's picks.
HWY_INLINE void MaxPool2x2PicksBackwardRow(const std::uint8_t* picks, const float* dy, float* top_dx, float* bottom_dx,
                                           std::size_t count) {
  using masked::VF;
  const masked::DF d;
  const hn::RebindToUnsigned<masked::DF> du;
  const hn::Rebind<std::uint8_t, decltype(du)> d8;
  const std::size_t lanes = hn::Lanes(d);
  const auto chunk = [&](std::size_t o, std::size_t n) HWY_ATTR {
    const bool whole = n == lanes;
    const auto pick = hn::PromoteTo(du, hn::LoadU(d8, picks + o));  // past n: the row's padding
    const VF g = masked::LoadLanes(hn::FirstN(d, n), whole, dy + o);
    const auto is = [&](std::uint32_t k) HWY_ATTR { return hn::RebindMask(d, hn::Eq(pick, hn::Set(du, k))); };
    StoreWindows(hn::IfThenElseZero(is(0), g), hn::IfThenElseZero(is(1), g), hn::IfThenElseZero(is(2), g),
                 hn::IfThenElseZero(is(3), g), top_dx, bottom_dx, o, n);
  };
  std::size_t o = 0;
  for (; o + lanes <= count; o += lanes) chunk(o, lanes);
  if (o == count) return;
  if constexpr (masked::kNative) return chunk(o, count - o);
  for (; o < count; ++o) {
    top_dx[2 * o] = top_dx[2 * o + 1] = bottom_dx[2 * o] = bottom_dx[2 * o + 1] = 0.0f;
    (picks[o] < 2 ? top_dx : bottom_dx)[2 * o + picks[o] % 2] = dy[o];
  }
}

HWY_NOINLINE void MaxPool2x2Impl(const float* x, std::size_t planes, std::size_t plane_stride, std::size_t height,
                                 std::size_t width, float* y, std::uint8_t* picks) {
  const std::size_t rows = height / 2, count = width / 2;
  for (std::size_t p = 0; p < planes; ++p, x += plane_stride)
    for (std::size_t r = 0; r < rows; ++r, y += count, picks = picks == nullptr ? picks : picks + PicksPerRow(count))
      MaxPool2x2Row(x + 2 * r * width, x + (2 * r + 1) * width, y, picks, count);
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

HWY_NOINLINE void MaxPool2x2PicksBackwardImpl(const std::uint8_t* picks, const float* dy, std::size_t planes,
                                              std::size_t height, std::size_t width, float* dx,
                                              std::size_t plane_stride) {
  const std::size_t rows = height / 2, count = width / 2, covered = 2 * count;
  for (std::size_t p = 0; p < planes; ++p, dx += plane_stride) {
    for (std::size_t r = 0; r < rows; ++r, picks += PicksPerRow(count), dy += count) {
      float* top = dx + 2 * r * width;
      MaxPool2x2PicksBackwardRow(picks, dy, top, top + width, count);
      for (std::size_t c = covered; c < width; ++c) top[c] = top[width + c] = 0.0f;
    }
    for (std::size_t c = 2 * rows * width; c < height * width; ++c) dx[c] = 0.0f;
  }
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
