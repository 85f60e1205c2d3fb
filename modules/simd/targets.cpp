// gibbs::simd target selection over the kernels' target registry.
module;
#include "modules/simd/kernels/targets.h"
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
module gibbs.simd;
import gibbs.core;

namespace gibbs::simd {

namespace {
// Read when the library loads, before a pin narrows what Highway reports.
const std::vector<std::int64_t> kCpuTargets = kernels::AvailableTargets();
}  // namespace

std::vector<Target> available_targets() {
  std::vector<Target> targets;
  for (std::int64_t t : kCpuTargets) targets.push_back({t, kernels::TargetName(t)});
  return targets;
}

Target current_target() {
  const std::int64_t t = kernels::CurrentTarget();
  return {t, kernels::TargetName(t)};
}

void use_target(std::string_view name) {
  const auto same = [](std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) { return std::toupper(x) == std::toupper(y); });
  };
  std::string names;
  for (const Target& t : available_targets()) {
    if (same(t.name, name)) return kernels::RestrictTargets(t.id);
    names += (names.empty() ? "" : ", ") + t.name;
  }
  throw ArgumentError("--simd: " + std::string(name) + " is not a SIMD target of this CPU (it has " + names + ")");
}

ScopedTarget::ScopedTarget(const Target& target) { kernels::RestrictTargets(target.id); }
ScopedTarget::~ScopedTarget() { kernels::RestrictTargets(0); }

}  // namespace gibbs::simd
