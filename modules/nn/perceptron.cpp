// gibbs.nn:perceptron — the rule, per sample and summed over a minibatch.
module;
#include <cstddef>
#include <span>
#include <vector>
module gibbs.nn;
import gibbs.core;

namespace gibbs::nn {

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

}  // namespace gibbs::nn
