// Plain declarations of the vectorised Philox4x32-10 kernels (no Highway types).
// Position p of a stream is 32-bit output p % 4 of the block whose counter is p / 4.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gibbs::kernels {

// Philox key = (seed low 32, seed high 32); counter = (block low 32, block high 32,
// stream low 32, stream high 32).
struct PhiloxStream {
  std::uint64_t seed = 0;
  std::uint64_t stream = 0;
};

// Each writes the values at positions [position, position + count) to out[0, count) on
// the best target. An element depends on its position only, never on where a call starts.
void PhiloxBits(const PhiloxStream& s, std::uint64_t position, std::size_t count, std::uint32_t* out);
// (u >> 8) · 2⁻²⁴, in [0, 1).
void PhiloxUniform(const PhiloxStream& s, std::uint64_t position, std::size_t count, float* out);
// Box–Muller over the pair of outputs (2q, 2q + 1): mean + stddev · r·cos θ at even
// positions, r·sin θ at odd ones, r = sqrt(−2 ln u1), u1 = ((u[2q] >> 8) + 1) · 2⁻²⁴ in
// (0, 1], θ = 2π · (u[2q + 1] >> 8) · 2⁻²⁴.
void PhiloxNormal(const PhiloxStream& s, std::uint64_t position, std::size_t count, float mean, float stddev,
                  float* out);
// out[i] = uniform(position + i) < probability[i] ? 1 : 0.
void PhiloxBernoulli(const PhiloxStream& s, std::uint64_t position, std::size_t count, const float* probability,
                     float* out);

}  // namespace gibbs::kernels
