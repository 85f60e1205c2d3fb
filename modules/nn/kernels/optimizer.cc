// Compiles the optimiser update bodies once per Highway target and exports the dispatching entry points.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "modules/nn/kernels/optimizer.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include "modules/nn/kernels/optimizer-inl.h"

#if HWY_ONCE
namespace gibbs::kernels {
HWY_EXPORT(AdamUpdateImpl);
HWY_EXPORT(SgdUpdateImpl);

void AdamUpdate(const AdamScalars& s, float* p, const float* grad, float* m, float* v, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(AdamUpdateImpl)(s, p, grad, m, v, n);
}

void SgdUpdate(float neg_lr, float mu, float decay, float* p, const float* grad, float* velocity, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(SgdUpdateImpl)(neg_lr, mu, decay, p, grad, velocity, n);
}
}  // namespace gibbs::kernels
#endif
