// Per-target loads and stores of a vector's first lanes, shared by the GEMM, im2col, pooling and
// perceptron kernels: with true masks where the target has them (AVX2 and up); elsewhere the
// callers take their tails another way (element by element, or through a buffer) with the same
// bits.
#if defined(GIBBS_SIMD_MASKED_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_SIMD_MASKED_INL_H_
#undef GIBBS_SIMD_MASKED_INL_H_
#else
#define GIBBS_SIMD_MASKED_INL_H_
#endif

#include <cstddef>

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace masked {
using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;
constexpr std::size_t kMaxLanes = hn::MaxLanes(DF());
// True masked loads (no access to masked-off lanes) and stores (no write to them).
constexpr bool kNative = HWY_TARGET <= HWY_AVX2 && HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128;

// Loads the lanes of `mask` from p (unaligned), the others zero; whole: all lanes, no mask.
// (Highway 1.0.3's MaskedLoad is an aligned load on SSE4: only kNative targets get a mask.)
HWY_INLINE VF LoadLanes(hn::Mask<DF> mask, bool whole, const float* p) {
  const DF d;
  if (whole || !kNative) return hn::LoadU(d, p);
  return hn::MaskedLoad(mask, d, p);
}
HWY_INLINE void StoreLanes(VF v, hn::Mask<DF> mask, bool whole, float* p) {
  const DF d;
  if (whole || !kNative) return hn::StoreU(v, d, p);
  hn::BlendedStore(v, mask, d, p);
}
}  // namespace masked

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
