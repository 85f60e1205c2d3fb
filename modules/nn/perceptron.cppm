// gibbs.nn:perceptron — the single-layer perceptron of the course notebook: the sign activation,
// the perceptron rule per sample or summed over a minibatch, and the capacity experiment.
module;
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>
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

// The rule summed over the rows of x (targets y, ±1), every ŷ from the weights before the
// update; one row is exactly perceptron_update. Returns how many rows were wrong.
std::size_t perceptron_batch_update(std::span<float> w, float& b, ConstView<float> x, std::span<const float> y,
                                    float lr);

// The capacity experiment: for each pattern count P, `trials` sets of P patterns uniform in
// [−1, 1]^inputs with labels ±1 at random (probability 1/2), each learned by a perceptron from
// zero weights with per-sample updates in a fresh random order every epoch, up to max_epochs
// epochs; a set is learned when the error on all P patterns is zero after some epoch (or before
// the first). Trial t of count P draws from random::streams::capacity_trial(seed, P, t): patterns at
// positions [0, P·inputs), labels (uniform < 1/2: −1) at [P·inputs, P·(inputs + 1)), epoch e's
// order at 2P·e + P·(inputs + 1) on (random::permutation's Fisher–Yates). Trials run in
// parallel; the result is the same for any thread count.
struct CapacitySettings {
  std::size_t inputs = 20;
  std::vector<std::size_t> patterns;  // the counts P, each at least 1
  std::size_t trials = 50;
  std::size_t max_epochs = 100;
  float lr = 0.01f;
  std::uint64_t seed = 0;
};

struct CapacityPoint {
  std::size_t patterns = 0;
  std::size_t learned = 0;  // sets learned to zero error
  std::size_t trials = 0;
  double fraction() const { return trials == 0 ? 0.0 : static_cast<double>(learned) / static_cast<double>(trials); }
};

// One point per count, in the order given. Bad settings (no inputs, no trials, a count of 0,
// inputs past 2³², trials past 2³⁰, counts whose draws pass 2³² positions) are ArgumentErrors.
std::vector<CapacityPoint> capacity_sweep(const CapacitySettings& settings);

// Whether trial `trial` of `patterns` patterns is learned (what capacity_sweep counts).
bool capacity_trial(const CapacitySettings& settings, std::size_t patterns, std::size_t trial);

// The load P/N at which the learned fraction crosses 1/2: the first point at or below 1/2,
// interpolated linearly with the point before it (its own P/N when it is the first point);
// NaN when no point falls to 1/2.
double half_point(std::span<const CapacityPoint> points, std::size_t inputs);

}  // namespace gibbs::nn
