// The capacity sweep. A trial is a few hundred floats, so it runs on one thread from buffers
// allocated once per task; trials spread over oneTBB's workers.
#include "plugins/perceptron/capacity.h"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>
import gibbs.core;
import gibbs.nn;
import gibbs.random;

namespace gibbs::perceptron {
namespace {

// One trial's buffers, sized for the largest count of a task.
struct Scratch {
  std::vector<float> x, y, w;
  std::vector<std::uint32_t> order, raw;
  Scratch(std::size_t patterns, std::size_t inputs)
      : x(patterns * inputs), y(patterns), w(inputs), order(patterns), raw(2 * patterns) {}
};

// Epochs of the rule until one makes no update: the weights it started from had zero error.
// Checking that way costs one pass an epoch, as the notebook's check after every epoch does,
// and stops at the same epoch count (a set whose error is zero after epoch e makes no update in
// epoch e + 1). max_epochs epochs may train; the pass after the last only checks.
bool learn(const CapacitySettings& s, std::size_t patterns, std::size_t trial, Scratch& k) {
  const std::size_t n = s.inputs;
  const random::Stream stream = random::streams::capacity_trial(s.seed, patterns, trial);
  const std::span<float> x(k.x.data(), patterns * n), y(k.y.data(), patterns), w(k.w.data(), n);
  random::uniform(stream, 0, x);
  for (float& v : x) v = 2 * v - 1;
  random::uniform(stream, patterns * n, y);
  for (float& v : y) v = v < 0.5f ? -1.0f : 1.0f;
  for (float& v : w) v = 0;
  float b = 0;
  const std::span<std::uint32_t> order(k.order.data(), patterns), raw(k.raw.data(), 2 * patterns);
  const std::uint64_t first_order = patterns * (n + 1);
  for (std::size_t epoch = 0; epoch <= s.max_epochs; ++epoch) {
    random::permutation(stream, first_order + 2 * patterns * epoch, order, raw);
    bool wrong = false;
    for (const std::uint32_t p : order) {
      const float* row = x.data() + p * n;
      float z = 0;
      for (std::size_t i = 0; i < n; ++i) z += w[i] * row[i];
      const float error = y[p] - nn::perceptron_sign(z + b);
      if (error == 0) continue;
      if (epoch == s.max_epochs) return false;  // the check after the last epoch failed
      wrong = true;
      const float delta = s.lr * error;
      for (std::size_t i = 0; i < n; ++i) w[i] += delta * row[i];
      b += delta;
    }
    if (!wrong) return true;
  }
  return false;
}

void check(const CapacitySettings& s) {
  constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max();
  constexpr std::size_t kTrials = random::streams::kCapacityTrials.lanes;  // one stream each
  if (s.inputs == 0 || s.inputs > kMax) throw ArgumentError(fmt::format("capacity: inputs must be 1 to {}", kMax));
  if (s.trials == 0 || s.trials > kTrials)
    throw ArgumentError(fmt::format("capacity: trials must be 1 to {}", kTrials));
  if (!(s.lr > 0) || !std::isfinite(s.lr)) throw ArgumentError("capacity: the learning rate must be positive");
  for (const std::size_t p : s.patterns)
    if (p == 0 || p > kMax / (2 * (s.inputs + 1)))
      throw ArgumentError(
          fmt::format("capacity: a pattern count of {} (expected 1 to {})", p, kMax / (2 * (s.inputs + 1))));
}

}  // namespace

bool capacity_trial(const CapacitySettings& settings, std::size_t patterns, std::size_t trial) {
  check(settings);
  Scratch scratch(patterns, settings.inputs);
  return learn(settings, patterns, trial, scratch);
}

std::vector<CapacityPoint> capacity_sweep(const CapacitySettings& settings) {
  check(settings);
  const std::size_t counts = settings.patterns.size(), trials = settings.trials;
  std::size_t largest = 0;
  for (const std::size_t p : settings.patterns) largest = std::max(largest, p);
  std::vector<std::uint8_t> learned(counts * trials);
  // Larger counts take longer: the task grain is small so that workers balance.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, counts * trials, 4),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      Scratch scratch(largest, settings.inputs);
                      for (std::size_t k = r.begin(); k != r.end(); ++k)
                        learned[k] = learn(settings, settings.patterns[k / trials], k % trials, scratch) ? 1 : 0;
                    });
  std::vector<CapacityPoint> points;
  for (std::size_t c = 0; c < counts; ++c) {
    CapacityPoint point{settings.patterns[c], 0, trials};
    for (std::size_t t = 0; t < trials; ++t) point.learned += learned[c * trials + t];
    points.push_back(point);
  }
  return points;
}

double half_point(std::span<const CapacityPoint> points, std::size_t inputs) {
  const auto load = [&](const CapacityPoint& p) {
    return static_cast<double>(p.patterns) / static_cast<double>(inputs);
  };
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double f = points[i].fraction();
    if (f > 0.5) continue;
    if (i == 0) return load(points[0]);
    const double f0 = points[i - 1].fraction();
    return load(points[i - 1]) + (f0 - 0.5) / (f0 - f) * (load(points[i]) - load(points[i - 1]));
  }
  return NAN;
}

}  // namespace gibbs::perceptron
