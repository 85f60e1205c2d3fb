// Plain declarations of the optimiser update kernels (no Highway types).
#pragma once
#include <cstddef>

namespace gibbs::kernels {

// One Adam step over n elements, with the step's scalars already rounded to float:
//   g = grad + decay·p (when decay ≠ 0), m = m·beta1 + rest1·g, v = v·beta2 + (rest2·g)·g,
//   p = p + (step·m) / (√v · inv_root2 + eps)
// each operation rounded in float, never fused: the same bits on every target. inv_root2 is
// 1/√(1 − beta2ᵗ), so that the update takes one division, not two: the divider bounds it.
struct AdamScalars {
  float beta1, beta2, rest1, rest2, step, inv_root2, eps, decay;
};
void AdamUpdate(const AdamScalars& s, float* p, const float* grad, float* m, float* v, std::size_t n);

// One SGD step: g = grad + decay·p (when decay ≠ 0); with velocity (not null) v = v·mu + g and
// g = v; then p = p + neg_lr·g. Unfused, as above.
void SgdUpdate(float neg_lr, float mu, float decay, float* p, const float* grad, float* velocity, std::size_t n);

}  // namespace gibbs::kernels
