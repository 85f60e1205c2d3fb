// Per-target body of the perceptron epoch side by side: each vector holds as many of the 16
// perceptrons as the target has lanes. A lane's net input is summed in input order, as the scalar
// rule sums it; that sum is a chain of dependent additions, so the lanes are what runs at once.
// Each lane goes through its own samples in its own order, so a step's inputs arrive as one row a
// lane: the rows are loaded whole and transposed in registers, which measured faster than gathers.
#if defined(GIBBS_NN_PERCEPTRON_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_NN_PERCEPTRON_INL_H_
#undef GIBBS_NN_PERCEPTRON_INL_H_
#else
#define GIBBS_NN_PERCEPTRON_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include <hwy/highway.h>

#include "modules/nn/kernels/perceptron.h"
#include "modules/simd/kernels/masked-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace perceptron {
using masked::DF;
using masked::VF;
constexpr std::size_t kMaxLanes = masked::kMaxLanes;

// Transposes the square block in `rows` (row r in rows[r], kMaxLanes rows) and stores its first
// `columns` columns, column c at out + c·stride. Each stage puts the even lanes of every pair of rows first and the odd
// lanes after, which rotates a value's (row, column) bits right by one; as many stages as the column has bits swap
// them. The stages go back and forth between the two arrays, unrolled, so that the block stays in registers.
template <std::size_t kStage = 1, class D>
HWY_INLINE void TransposeTo(D d, hn::Vec<D> (&rows)[kMaxLanes], hn::Vec<D> (&spare)[kMaxLanes], std::size_t columns,
                            float* out, std::size_t stride) {
  if constexpr (kStage >= kMaxLanes) {
    for (std::size_t c = 0; c < kMaxLanes; ++c)
      if (c < columns) hn::StoreU(rows[c], d, out + c * stride);
  } else {
    for (std::size_t k = 0; k < kMaxLanes / 2; ++k) {
      spare[k] = hn::ConcatEven(d, rows[2 * k + 1], rows[2 * k]);
      spare[kMaxLanes / 2 + k] = hn::ConcatOdd(d, rows[2 * k + 1], rows[2 * k]);
    }
    TransposeTo<2 * kStage>(d, spare, rows, columns, out, stride);
  }
}

// The first `count` values from p, the others zero, never reading past them.
HWY_INLINE VF LoadFirst(std::size_t count, const float* p) {
  const DF d;
  if (masked::kNative || count == kMaxLanes) return masked::LoadLanes(hn::FirstN(d, count), count == kMaxLanes, p);
  HWY_ALIGN float buffer[kMaxLanes] = {};
  std::memcpy(buffer, p, count * sizeof(float));
  return hn::Load(d, buffer);
}
}  // namespace perceptron

HWY_NOINLINE std::uint32_t PerceptronEpochInLanesImpl(float* w, float* b, const float* x, const std::int32_t* offsets,
                                                      const float* y, const std::int32_t* samples, std::size_t steps,
                                                      std::size_t inputs, float lr) {
  namespace p = perceptron;
  const p::DF d;
  const hn::RebindToSigned<p::DF> di;
  constexpr std::size_t kLanes = kPerceptronLanes, kWidth = p::kMaxLanes;
  static_assert(kLanes % kWidth == 0, "a vector holds whole lanes of the 16");
  const p::VF zero = hn::Zero(d), one = hn::Set(d, 1.0f), minus_one = hn::Set(d, -1.0f), rate = hn::Set(d, lr);
  std::vector<float> row(inputs * kLanes);  // the step's inputs, lane by lane, for the update
  std::uint32_t updated = 0;
  for (std::size_t t = 0; t < steps; ++t) {
    for (std::size_t g = 0; g < kLanes; g += kWidth) {
      const auto on = hn::RebindMask(d, hn::Lt(hn::Set(di, static_cast<std::int32_t>(t)), hn::LoadU(di, samples + g)));
      if (hn::AllFalse(d, on)) continue;
      for (std::size_t first = 0; first < inputs; first += kWidth) {
        p::VF block[kWidth], spare[kWidth];
        const std::size_t count = std::min(kWidth, inputs - first);
        for (std::size_t r = 0; r < kWidth; ++r)
          block[r] = p::LoadFirst(count, x + offsets[t * kLanes + g + r] + first);
        p::TransposeTo(d, block, spare, count, row.data() + first * kLanes + g, kLanes);
      }
      p::VF z = zero;
      for (std::size_t i = 0; i < inputs; ++i)
        z = hn::Add(z, hn::Mul(hn::LoadU(d, w + i * kLanes + g), hn::LoadU(d, row.data() + i * kLanes + g)));
      const p::VF bias = hn::LoadU(d, b + g);
      const p::VF predicted = hn::IfThenElse(hn::Gt(hn::Add(z, bias), zero), one, minus_one);
      const p::VF error = hn::Sub(hn::LoadU(d, y + t * kLanes + g), predicted);
      const auto wrong = hn::And(on, hn::Ne(error, zero));
      if (hn::AllFalse(d, wrong)) continue;
      const p::VF delta = hn::Mul(rate, error);
      for (std::size_t i = 0; i < inputs; ++i) {
        float* wi = w + i * kLanes + g;
        const p::VF v = hn::LoadU(d, wi);
        hn::StoreU(hn::IfThenElse(wrong, hn::Add(v, hn::Mul(delta, hn::LoadU(d, row.data() + i * kLanes + g))), v), d,
                   wi);
      }
      hn::StoreU(hn::IfThenElse(wrong, hn::Add(bias, delta), bias), d, b + g);
      std::uint8_t bits[8] = {};
      hn::StoreMaskBits(d, wrong, bits);
      for (std::size_t l = 0; l < kWidth; ++l)
        if ((bits[l / 8] >> (l % 8)) & 1) updated |= std::uint32_t{1} << (g + l);
    }
  }
  return updated;
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
