// gibbs.nn:perceptron — the rule, per sample and summed over a minibatch.
module;
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "modules/nn/kernels/perceptron.h"
module gibbs.nn;
import gibbs.core;

namespace gibbs::nn {

static_assert(kPerceptronLanes == kernels::kPerceptronLanes);

float perceptron_net(std::span<const float> w, float b, std::span<const float> x) {
  float z = 0;
  for (std::size_t i = 0; i < w.size(); ++i) z += w[i] * x[i];
  return z + b;
}

float perceptron_update(std::span<float> w, float& b, std::span<const float> x, float y, float lr) {
  const float error = y - perceptron_sign(perceptron_net(w, b, x));
  if (error == 0) return error;
  const float delta = lr * error;
  for (std::size_t i = 0; i < w.size(); ++i) w[i] += delta * x[i];
  b += delta;
  return error;
}

std::size_t perceptron_batch_sums(std::span<const float> w, float b, ConstView<float> x, std::span<const float> y,
                                  float lr, std::span<float> sums) {
  if (x.cols() != w.size() || y.size() != x.rows() || sums.size() != w.size() + 1)
    throw ShapeError("perceptron_batch_sums: rows of one value per weight, one target a row", x.shape(),
                     {y.size(), w.size()});
  std::vector<float> deltas(x.rows());
  std::size_t wrong = 0;
  for (std::size_t r = 0; r < x.rows(); ++r) {
    deltas[r] = lr * (y[r] - perceptron_sign(perceptron_net(w, b, x.row(r))));
    wrong += deltas[r] != 0;
  }
  for (std::size_t i = 0; i < w.size(); ++i) {
    float sum = 0;
    for (std::size_t r = 0; r < x.rows(); ++r) sum += deltas[r] * x(r, i);
    sums[i] = sum;
  }
  float sum = 0;
  for (const float d : deltas) sum += d;
  sums.back() = sum;
  return wrong;
}

std::size_t perceptron_batch_update(std::span<float> w, float& b, ConstView<float> x, std::span<const float> y,
                                    float lr) {
  if (x.cols() != w.size() || y.size() != x.rows())
    throw ShapeError("perceptron_batch_update: rows of one value per weight, one target a row", x.shape(),
                     {y.size(), w.size()});
  if (x.rows() == 1) return perceptron_update(w, b, x.row(0), y[0], lr) != 0 ? 1 : 0;
  std::vector<float> sums(w.size() + 1);
  const std::size_t wrong = perceptron_batch_sums(w, b, x, y, lr, sums);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] += sums[i];
  b += sums.back();
  return wrong;
}

std::uint32_t perceptron_epoch_in_lanes(std::span<float> w, std::span<float> b, std::span<const float> x,
                                        std::span<const std::int32_t> offsets, std::span<const float> y,
                                        std::span<const std::int32_t> samples, float lr) {
  constexpr std::size_t kLanes = kPerceptronLanes;
  const std::size_t inputs = w.size() / kLanes;
  if (w.size() % kLanes != 0 || b.size() != kLanes || samples.size() != kLanes)
    throw ShapeError("perceptron_epoch_in_lanes: weights, biases and sample counts of 16 lanes", {w.size(), b.size()},
                     {inputs * kLanes, kLanes});
  std::int32_t steps = 0;
  for (const std::int32_t s : samples) {
    if (s < 0) throw ArgumentError("perceptron_epoch_in_lanes: a negative sample count");
    steps = std::max(steps, s);
  }
  const std::size_t used = static_cast<std::size_t>(steps) * kLanes;
  if (offsets.size() < used || y.size() < used)
    throw ShapeError("perceptron_epoch_in_lanes: an offset and a target a lane for each step",
                     {offsets.size(), y.size()}, {used, used});
  for (const std::int32_t o : offsets.first(used))
    if (o < 0 || static_cast<std::size_t>(o) + inputs > x.size())
      throw ArgumentError("perceptron_epoch_in_lanes: a sample at offset " + std::to_string(o) + " of " +
                          std::to_string(x.size()) + " values, " + std::to_string(inputs) + " inputs");
  return kernels::PerceptronEpochInLanes(w.data(), b.data(), x.data(), offsets.data(), y.data(), samples.data(),
                                         static_cast<std::size_t>(steps), inputs, lr);
}

}  // namespace gibbs::nn
