// The perceptron's capacity experiment (the course notebook's): random pattern sets learned by the
// perceptron rule, swept over the pattern count. Used by `gibbs capacity` and `gibbs bench capacity`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gibbs::perceptron {

// For each pattern count P, `trials` sets of P patterns uniform in [−1, 1]^inputs with labels ±1
// at random (probability 1/2), each learned by a perceptron from zero weights with per-sample
// updates in a fresh random order every epoch, up to max_epochs epochs; a set is learned when the
// error on all P patterns is zero after some epoch (or before the first). Trial t of count P
// draws from random::streams::capacity_trial(seed, P, t): patterns at positions [0, P·inputs),
// labels (uniform < 1/2: −1) at [P·inputs, P·(inputs + 1)), epoch e's order at
// 2P·e + P·(inputs + 1) on (random::permutation's Fisher–Yates). Trials run in parallel; the
// result is the same for any thread count.
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
// inputs past 2²⁷ − 1, trials past 2³⁰, counts whose draws pass 2³² positions or whose 16 sets
// side by side pass 2³¹ − 1 floats) are ArgumentErrors.
std::vector<CapacityPoint> capacity_sweep(const CapacitySettings& settings);

// Whether trial `trial` of `patterns` patterns is learned (what capacity_sweep counts).
bool capacity_trial(const CapacitySettings& settings, std::size_t patterns, std::size_t trial);

// The load P/N at which the learned fraction crosses 1/2: the first point at or below 1/2,
// interpolated linearly with the point before it (its own P/N when it is the first point);
// NaN when no point falls to 1/2.
double half_point(std::span<const CapacityPoint> points, std::size_t inputs);

}  // namespace gibbs::perceptron
