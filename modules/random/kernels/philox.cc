// Compiles the Philox body once per Highway target and exports the dispatching entry points.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "modules/random/kernels/philox.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include "modules/random/kernels/philox-inl.h"

#if HWY_ONCE
namespace gibbs::kernels {
HWY_EXPORT(PhiloxBitsImpl);
HWY_EXPORT(PhiloxUniformImpl);
HWY_EXPORT(PhiloxNormalImpl);
HWY_EXPORT(PhiloxBernoulliImpl);

void PhiloxBits(const PhiloxStream& s, std::uint64_t position, std::size_t count, std::uint32_t* out) {
  HWY_DYNAMIC_DISPATCH(PhiloxBitsImpl)(s, position, count, out);
}

void PhiloxUniform(const PhiloxStream& s, std::uint64_t position, std::size_t count, float* out) {
  HWY_DYNAMIC_DISPATCH(PhiloxUniformImpl)(s, position, count, out);
}

void PhiloxNormal(const PhiloxStream& s, std::uint64_t position, std::size_t count, float mean, float stddev,
                  float* out) {
  HWY_DYNAMIC_DISPATCH(PhiloxNormalImpl)(s, position, count, mean, stddev, out);
}

void PhiloxBernoulli(const PhiloxStream& s, std::uint64_t position, std::size_t count, const float* probability,
                     float* out) {
  HWY_DYNAMIC_DISPATCH(PhiloxBernoulliImpl)(s, position, count, probability, out);
}
}  // namespace gibbs::kernels
#endif
