// gibbs.nn:perceptron — the single-layer perceptron of the course notebook: the sign activation
// and the perceptron rule per sample or summed over a minibatch. (The capacity experiment that
// uses it is the perceptron plugin's: plugins/perceptron/capacity.h.)
module;
#include <cstddef>
#include <cstdint>
#include <span>
export module gibbs.nn:perceptron;
import gibbs.core;

export namespace gibbs::nn {

// The notebook's activation: 1 if z > 0, else −1. A zero net input gives −1 here (the `sign`
// layer gives +1): the perceptron's first update from zero weights depends on it.
inline float perceptron_sign(float z) { return z > 0 ? 1.0f : -1.0f; }

// w·x + b, summed in order.
float perceptron_net(std::span<const float> w, float b, std::span<const float> x);

// The perceptron rule for one sample with target y (±1): ŷ = sign(w·x + b), then
// w += lr·(y − ŷ)·x and b += lr·(y − ŷ). Returns y − ŷ (0 when ŷ was right, ±2 otherwise).
float perceptron_update(std::span<float> w, float& b, std::span<const float> x, float y, float lr);

// The rule's sums over the rows of x (targets y, ±1), every ŷ from the weights as they are:
// sums = [Σ lr·(y − ŷ)·x | Σ lr·(y − ŷ)] (w.size() + 1 values), each added in row order. Returns
// how many rows were wrong.
std::size_t perceptron_batch_sums(std::span<const float> w, float b, ConstView<float> x, std::span<const float> y,
                                  float lr, std::span<float> sums);

// The rule summed over the rows of x (perceptron_batch_sums added to w and b), every ŷ from the
// weights before the update; one row is exactly perceptron_update. Returns how many rows were
// wrong.
std::size_t perceptron_batch_update(std::span<float> w, float& b, ConstView<float> x, std::span<const float> y,
                                    float lr);

// How many perceptrons perceptron_epoch_in_lanes trains at once (its kernel's count: installed
// interfaces cannot include the kernel headers, so perceptron.cpp checks that the two agree).
inline constexpr std::size_t kPerceptronLanes = 16;

// One epoch of perceptron_update for kPerceptronLanes perceptrons side by side, each through its
// own samples in its own order, bit for bit what the lanes give taken one at a time. Lane l's
// weights are w[i·kPerceptronLanes + l] (w.size() / kPerceptronLanes inputs), its bias b[l]; its
// t-th sample is the row of x at offsets[t·kPerceptronLanes + l], target y[t·kPerceptronLanes + l],
// for t < samples[l] (0: the lane sits the epoch out). offsets and y hold the steps of the lane
// with the most samples, and every offset there must start a row inside x, the unused ones too.
// Returns bit l set when lane l made an update. Shapes that do not fit are ShapeErrors.
std::uint32_t perceptron_epoch_in_lanes(std::span<float> w, std::span<float> b, std::span<const float> x,
                                        std::span<const std::int32_t> offsets, std::span<const float> y,
                                        std::span<const std::int32_t> samples, float lr);

}  // namespace gibbs::nn
