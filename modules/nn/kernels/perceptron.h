// Plain declarations of the perceptron rule for perceptrons side by side, one a lane (no Highway types).
#pragma once
#include <cstddef>
#include <cstdint>

namespace gibbs::kernels {

// How many perceptrons PerceptronEpochInLanes trains at once, whatever the target's vector width.
inline constexpr std::size_t kPerceptronLanes = 16;

// One epoch of the per-sample perceptron rule for kPerceptronLanes perceptrons side by side. Lane
// l's weights are w[i·16 + l] (i < inputs), its bias b[l]; its t-th sample is the `inputs` floats
// at x + offsets[t·16 + l], target y[t·16 + l], for t < samples[l] (the lane sits out the later
// steps). Every offsets[t·16 + l] with t < steps is read, whatever samples[l]. Each step is
// nn::perceptron_update's arithmetic, unfused: the same bits as the lanes taken one at a time.
// Returns bit l set when lane l made an update.
std::uint32_t PerceptronEpochInLanes(float* w, float* b, const float* x, const std::int32_t* offsets, const float* y,
                                     const std::int32_t* samples, std::size_t steps, std::size_t inputs, float lr);

}  // namespace gibbs::kernels
