// Per-target bodies of the optimiser updates: one pass over a parameter, multiplies and adds
// kept apart (no FMA), and the tail through a padded buffer with the same vector code, so an
// element's result never depends on the target or on where a call starts or ends.
#if defined(GIBBS_NN_OPTIMIZER_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_NN_OPTIMIZER_INL_H_
#undef GIBBS_NN_OPTIMIZER_INL_H_
#else
#define GIBBS_NN_OPTIMIZER_INL_H_
#endif

#include <cstddef>
#include <cstring>

#include <hwy/highway.h>

#include "modules/nn/kernels/optimizer.h"
#include "modules/simd/kernels/prefetch.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace optimizer {
using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;
constexpr std::size_t kMaxLanes = hn::MaxLanes(DF());
// How far ahead the parameter's lines are asked for, in floats: 32 lines.
constexpr std::size_t kAhead = 512;

// step(grad, arrays, i) updates elements [i, i + lanes) of the arrays from grad[i, i + lanes);
// the last partial vector goes through zero-padded buffers, with the same step, and back.
template <std::size_t kArrays, class Step>
HWY_INLINE void Sweep(const float* grad, float* const (&arrays)[kArrays], std::size_t n, const Step& step) {
  const std::size_t lanes = hn::Lanes(DF());
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    // The parameter's lines were read last by every thread's forward pass: see PrefetchToWrite.
    if (i + kAhead < n) PrefetchToWrite(arrays[0] + i + kAhead);
    step(grad, arrays, i);
  }
  if (i == n) return;
  HWY_ALIGN float grad_tail[kMaxLanes] = {};
  HWY_ALIGN float buffers[kArrays][kMaxLanes] = {};
  float* tail[kArrays];
  std::memcpy(grad_tail, grad + i, (n - i) * sizeof(float));
  for (std::size_t a = 0; a < kArrays; ++a) {
    std::memcpy(buffers[a], arrays[a] + i, (n - i) * sizeof(float));
    tail[a] = buffers[a];
  }
  step(grad_tail, tail, 0);
  for (std::size_t a = 0; a < kArrays; ++a) std::memcpy(arrays[a] + i, buffers[a], (n - i) * sizeof(float));
}
}  // namespace optimizer

HWY_NOINLINE void AdamUpdateImpl(const AdamScalars& s, float* p, const float* grad, float* m, float* v, std::size_t n) {
  namespace o = optimizer;
  const o::DF d;
  const o::VF beta1 = hn::Set(d, s.beta1), beta2 = hn::Set(d, s.beta2), rest1 = hn::Set(d, s.rest1),
              rest2 = hn::Set(d, s.rest2), step = hn::Set(d, s.step), inv_root2 = hn::Set(d, s.inv_root2),
              eps = hn::Set(d, s.eps), decay = hn::Set(d, s.decay);
  const bool decays = s.decay != 0.0f;
  float* const arrays[3] = {p, m, v};
  o::Sweep(grad, arrays, n, [&](const float* gp, float* const(&a)[3], std::size_t i) HWY_ATTR {
    const o::VF pv = hn::LoadU(d, a[0] + i);
    o::VF g = hn::LoadU(d, gp + i);
    if (decays) g = hn::Add(g, hn::Mul(decay, pv));
    const o::VF mv = hn::Add(hn::Mul(hn::LoadU(d, a[1] + i), beta1), hn::Mul(rest1, g));
    const o::VF vv = hn::Add(hn::Mul(hn::LoadU(d, a[2] + i), beta2), hn::Mul(hn::Mul(rest2, g), g));
    const o::VF denom = hn::Add(hn::Mul(hn::Sqrt(vv), inv_root2), eps);
    hn::StoreU(hn::Add(pv, hn::Div(hn::Mul(step, mv), denom)), d, a[0] + i);
    hn::StoreU(mv, d, a[1] + i);
    hn::StoreU(vv, d, a[2] + i);
  });
}

HWY_NOINLINE void SgdUpdateImpl(float neg_lr, float mu, float decay, float* p, const float* grad, float* velocity,
                                std::size_t n) {
  namespace o = optimizer;
  const o::DF d;
  const o::VF rate = hn::Set(d, neg_lr), momentum = hn::Set(d, mu), decay_v = hn::Set(d, decay);
  const bool decays = decay != 0.0f;
  if (velocity == nullptr) {
    float* const arrays[1] = {p};
    o::Sweep(grad, arrays, n, [&](const float* gp, float* const(&a)[1], std::size_t i) HWY_ATTR {
      const o::VF pv = hn::LoadU(d, a[0] + i);
      o::VF g = hn::LoadU(d, gp + i);
      if (decays) g = hn::Add(g, hn::Mul(decay_v, pv));
      hn::StoreU(hn::Add(pv, hn::Mul(rate, g)), d, a[0] + i);
    });
    return;
  }
  float* const arrays[2] = {p, velocity};
  o::Sweep(grad, arrays, n, [&](const float* gp, float* const(&a)[2], std::size_t i) HWY_ATTR {
    const o::VF pv = hn::LoadU(d, a[0] + i);
    o::VF g = hn::LoadU(d, gp + i);
    if (decays) g = hn::Add(g, hn::Mul(decay_v, pv));
    const o::VF vv = hn::Add(hn::Mul(hn::LoadU(d, a[1] + i), momentum), g);
    hn::StoreU(vv, d, a[1] + i);
    hn::StoreU(hn::Add(pv, hn::Mul(rate, vv)), d, a[0] + i);
  });
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
