// gibbs::simd target selection over the kernels' target registry.
module;
#include "modules/simd/kernels/targets.h"
#include <cstdint>
#include <string>
#include <vector>
module gibbs.simd;

namespace gibbs::simd {

std::vector<Target> available_targets() {
  std::vector<Target> targets;
  for (std::int64_t t : kernels::AvailableTargets()) targets.push_back({t, kernels::TargetName(t)});
  return targets;
}

Target current_target() {
  const std::int64_t t = kernels::CurrentTarget();
  return {t, kernels::TargetName(t)};
}

ScopedTarget::ScopedTarget(const Target& target) { kernels::RestrictTargets(target.id); }
ScopedTarget::~ScopedTarget() { kernels::RestrictTargets(0); }

}  // namespace gibbs::simd
