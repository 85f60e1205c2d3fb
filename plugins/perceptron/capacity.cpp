// The capacity sweep. A trial is a few hundred floats and its net inputs are chains of dependent
// additions, so trials run side by side in the lanes of a vector (nn::perceptron_epoch_in_lanes),
// a set of them per task; the sets spread over oneTBB's workers.
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

// A trial, as capacity_sweep addresses it.
struct Trial {
  std::size_t patterns = 0, index = 0;
};

// The buffers of up to kLanes trials learned side by side; lane l's patterns fill x from
// l·stride, where stride holds the largest set of the lanes.
struct Lanes {
  static constexpr std::size_t kLanes = nn::kPerceptronLanes;
  std::vector<float> x, labels, targets, w, b;
  std::vector<std::int32_t> offsets, samples;
  std::vector<std::uint32_t> order, raw;
  std::vector<random::Stream> streams;
};

// Up to kLanes trials by the rule, side by side: each epoch draws every learning lane's order,
// then nn::perceptron_epoch_in_lanes runs the epoch. A lane has learned its set when an epoch
// makes no update (its starting weights had zero error): checking that way costs one pass an
// epoch, as the notebook's check after every epoch does, and stops at the same epoch count (a set
// whose error is zero after epoch e makes no update in epoch e + 1). max_epochs epochs may train;
// the pass after the last only checks, so an update there means the set was not learned.
void learn(const CapacitySettings& s, std::span<const Trial> trials, std::span<std::uint8_t> learned, Lanes& k) {
  constexpr std::size_t kLanes = Lanes::kLanes;
  const std::size_t n = s.inputs;
  std::size_t most = 0;
  for (const Trial& trial : trials) most = std::max(most, trial.patterns);
  const std::size_t stride = most * n;
  k.x.resize(kLanes * stride);
  k.labels.resize(kLanes * most);
  k.targets.assign(kLanes * most, 0.0f);
  k.offsets.assign(kLanes * most, 0);
  k.w.assign(kLanes * n, 0.0f);
  k.b.assign(kLanes, 0.0f);
  k.samples.assign(kLanes, 0);
  k.order.resize(most);
  k.raw.resize(2 * most);
  k.streams.clear();
  for (std::size_t l = 0; l < trials.size(); ++l) {
    const std::size_t p = trials[l].patterns;
    k.streams.push_back(random::streams::capacity_trial(s.seed, p, trials[l].index));
    const std::span<float> x(k.x.data() + l * stride, p * n), y(k.labels.data() + l * most, p);
    random::uniform(k.streams[l], 0, x);
    for (float& v : x) v = 2 * v - 1;
    random::uniform(k.streams[l], p * n, y);
    for (float& v : y) v = v < 0.5f ? -1.0f : 1.0f;
    k.samples[l] = static_cast<std::int32_t>(p);
  }
  for (std::size_t epoch = 0; epoch <= s.max_epochs; ++epoch) {
    bool learning = false;
    for (std::size_t l = 0; l < trials.size(); ++l) {
      if (k.samples[l] == 0) continue;
      learning = true;
      const std::size_t p = trials[l].patterns;
      const std::span<std::uint32_t> order(k.order.data(), p);
      random::permutation(k.streams[l], p * (n + 1) + 2 * p * epoch, order, std::span(k.raw.data(), 2 * p));
      for (std::size_t t = 0; t < p; ++t) {
        k.offsets[t * kLanes + l] = static_cast<std::int32_t>(l * stride + order[t] * n);
        k.targets[t * kLanes + l] = k.labels[l * most + order[t]];
      }
    }
    if (!learning) return;
    const std::uint32_t updated = nn::perceptron_epoch_in_lanes(k.w, k.b, k.x, k.offsets, k.targets, k.samples, s.lr);
    for (std::size_t l = 0; l < trials.size(); ++l) {
      if (k.samples[l] == 0) continue;
      const bool made_update = (updated >> l) & 1;
      if (made_update && epoch < s.max_epochs) continue;
      learned[l] = made_update ? 0 : 1;
      k.samples[l] = 0;
    }
  }
}

void check(const CapacitySettings& s) {
  // The draws address at most 2³² positions a trial, and the offsets of a set of trials side by
  // side at most 2³¹ floats.
  constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max();
  constexpr std::size_t kLaneValues = std::numeric_limits<std::int32_t>::max();
  constexpr std::size_t kMaxInputs = kLaneValues / Lanes::kLanes;
  constexpr std::size_t kTrials = random::streams::kCapacityTrials.lanes;  // one stream each
  if (s.inputs == 0 || s.inputs > kMaxInputs)
    throw ArgumentError(fmt::format("capacity: inputs must be 1 to {}", kMaxInputs));
  if (s.trials == 0 || s.trials > kTrials)
    throw ArgumentError(fmt::format("capacity: trials must be 1 to {}", kTrials));
  if (!(s.lr > 0) || !std::isfinite(s.lr)) throw ArgumentError("capacity: the learning rate must be positive");
  const std::size_t most = std::min(kMax / (2 * (s.inputs + 1)), kLaneValues / (Lanes::kLanes * s.inputs));
  for (const std::size_t p : s.patterns)
    if (p == 0 || p > most)
      throw ArgumentError(fmt::format("capacity: a pattern count of {} (expected 1 to {})", p, most));
}

}  // namespace

bool capacity_trial(const CapacitySettings& settings, std::size_t patterns, std::size_t trial) {
  check(settings);
  const Trial one{patterns, trial};
  std::uint8_t learned = 0;
  Lanes lanes;
  learn(settings, std::span(&one, 1), std::span(&learned, 1), lanes);
  return learned != 0;
}

std::vector<CapacityPoint> capacity_sweep(const CapacitySettings& settings) {
  check(settings);
  const std::size_t counts = settings.patterns.size(), trials = settings.trials;
  std::vector<Trial> all;
  for (const std::size_t p : settings.patterns)
    for (std::size_t t = 0; t < trials; ++t) all.push_back({p, t});
  std::vector<std::uint8_t> learned(all.size());
  constexpr std::size_t kLanes = Lanes::kLanes;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, (all.size() + kLanes - 1) / kLanes, 1),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      Lanes lanes;
                      for (std::size_t set = r.begin(); set != r.end(); ++set) {
                        const std::size_t first = set * kLanes, count = std::min(kLanes, all.size() - first);
                        learn(settings, std::span(all).subspan(first, count), std::span(learned).subspan(first, count),
                              lanes);
                      }
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
