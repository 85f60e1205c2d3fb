// Compiles the side-by-side perceptron epoch once per Highway target and exports its dispatching entry point.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "modules/nn/kernels/perceptron.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include "modules/nn/kernels/perceptron-inl.h"

#if HWY_ONCE
namespace gibbs::kernels {
HWY_EXPORT(PerceptronEpochInLanesImpl);

std::uint32_t PerceptronEpochInLanes(float* w, float* b, const float* x, const std::int32_t* offsets, const float* y,
                                     const std::int32_t* samples, std::size_t steps, std::size_t inputs, float lr) {
  return HWY_DYNAMIC_DISPATCH(PerceptronEpochInLanesImpl)(w, b, x, offsets, y, samples, steps, inputs, lr);
}
}  // namespace gibbs::kernels
#endif
