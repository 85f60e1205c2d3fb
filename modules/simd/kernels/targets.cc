// Highway's target registry, compiled with the same target flags as every kernel.
#include "modules/simd/kernels/targets.h"

#include <hwy/highway.h>
#include <hwy/targets.h>

namespace gibbs::kernels {

std::vector<std::int64_t> AvailableTargets() {
  std::vector<std::int64_t> targets;
  const std::int64_t supported = hwy::SupportedTargets() & HWY_TARGETS;
  for (std::int64_t bit = 1; bit != 0 && bit <= supported; bit <<= 1)
    if (supported & bit) targets.push_back(bit);
  return targets;  // Highway numbers better targets with lower bits
}

std::int64_t CurrentTarget() {
  const std::int64_t supported = hwy::SupportedTargets() & HWY_TARGETS;
  return supported & -supported;
}

const char* TargetName(std::int64_t target) { return hwy::TargetName(target); }

void RestrictTargets(std::int64_t target) {
  hwy::SetSupportedTargetsForTest(target);
  hwy::GetChosenTarget().Update(hwy::SupportedTargets());
}

}  // namespace gibbs::kernels
