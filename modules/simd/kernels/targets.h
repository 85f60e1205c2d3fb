// Plain declarations over Highway's target registry (no Highway types).
#pragma once
#include <cstdint>
#include <vector>

namespace gibbs::kernels {
std::vector<std::int64_t> AvailableTargets();  // compiled and supported, best first
std::int64_t CurrentTarget();
const char* TargetName(std::int64_t target);
void RestrictTargets(std::int64_t target);  // 0 restores the full set
}  // namespace gibbs::kernels
