// Helpers for the gibbs.nn suites: random inputs, the central finite-difference check of a
// gradient (differences of a loss computed in double) and a bitwise comparison. Include it
// last, after the other headers: it imports gibbs.core and gibbs.nn.
#pragma once

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>
import gibbs.core;
import gibbs.nn;

namespace gibbs::test {

inline Matrix<float> random_matrix(std::size_t rows, std::size_t cols, std::mt19937& rng, float lo = -1.0f,
                                   float hi = 1.0f) {
  Matrix<float> m(rows, cols);
  std::uniform_real_distribution<float> u(lo, hi);
  for (float& v : m.values()) v = u(rng);
  return m;
}

// Values at least `gap` apart (a shuffled ladder centred on 0): no ties, no two within a
// finite-difference step of each other when gap > 2h.
inline Matrix<float> distinct_matrix(std::size_t rows, std::size_t cols, std::mt19937& rng, float gap) {
  Matrix<float> m(rows, cols);
  std::vector<float> ladder(m.size());
  for (std::size_t i = 0; i < ladder.size(); ++i)
    ladder[i] = gap * (static_cast<float>(i) - static_cast<float>(ladder.size()) / 2.0f);
  std::shuffle(ladder.begin(), ladder.end(), rng);
  std::copy(ladder.begin(), ladder.end(), m.data());
  return m;
}

// Values with |v| in [lo, hi] and a random sign: away from a kink at 0 (relu).
inline Matrix<float> away_from_zero(std::size_t rows, std::size_t cols, std::mt19937& rng, float lo, float hi) {
  Matrix<float> m = random_matrix(rows, cols, rng, lo, hi);
  std::bernoulli_distribution flip(0.5);
  for (float& v : m.values()) v = flip(rng) ? -v : v;
  return m;
}

// Σ w ⊙ y in double: the scalar whose gradient with respect to y is w.
inline double weighted_sum(ConstView<float> y, ConstView<float> w) {
  double s = 0.0;
  for (std::size_t r = 0; r < y.rows(); ++r)
    for (std::size_t c = 0; c < y.cols(); ++c) s += static_cast<double>(w(r, c)) * y(r, c);
  return s;
}

// The worst disagreement between an analytic gradient and central differences of loss():
// for each element k, fd = (loss(v_k + h) − loss(v_k − h)) / (the float step actually taken),
// error = |fd − analytic| / (rms + |analytic|), rms the analytic gradient's root mean square.
// A wrong element off by 1% of that scale gives an error of 0.01.
struct FdResult {
  double worst = 0.0;
  std::size_t index = 0;
  double fd = 0.0, analytic = 0.0;
};

inline FdResult compare_fd(std::span<float> values, std::span<const float> analytic, double h,
                           const std::function<double()>& loss) {
  BOOST_REQUIRE_EQUAL(values.size(), analytic.size());
  double squares = 0.0;
  for (float a : analytic) squares += static_cast<double>(a) * a;
  const double rms = std::sqrt(squares / std::max<std::size_t>(analytic.size(), 1)) + 1e-30;
  FdResult result;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const float saved = values[k];
    const auto up = static_cast<float>(saved + h), down = static_cast<float>(saved - h);
    values[k] = up;
    const double loss_up = loss();
    values[k] = down;
    const double loss_down = loss();
    values[k] = saved;
    const double fd = (loss_up - loss_down) / (static_cast<double>(up) - static_cast<double>(down));
    const double error = std::abs(fd - analytic[k]) / (rms + std::abs(analytic[k]));
    if (error > result.worst || k == 0) result = {error, k, fd, static_cast<double>(analytic[k])};
  }
  return result;
}

inline void check_fd(const std::string& what, const FdResult& r, double tolerance) {
  BOOST_TEST(r.worst <= tolerance, what << ": element " << r.index << " analytic " << r.analytic << ", finite "
                                        << "difference " << r.fd << " (error " << r.worst << " > " << tolerance << ")");
  BOOST_TEST_MESSAGE(what << ": worst error " << r.worst);
}

// A layer's gradients against finite differences of L = Σ w ⊙ forward(x), w random:
// the input gradient and each parameter's, as FdResults named "input" and the parameter names.
// Backward runs once, right after the forward of x; the differences come after. `corrupt` is
// added to the middle element of every analytic gradient (a deliberately wrong gradient).
struct LayerGradients {
  std::vector<std::string> names;
  std::vector<FdResult> results;
};

inline LayerGradients layer_fd(nn::Layer& layer, nn::SampleShape in_shape, Matrix<float>& x, double h,
                               std::mt19937& rng, float corrupt = 0.0f) {
  const std::size_t batch = x.rows(), out = layer.output_shape(in_shape).size();
  Matrix<float> y(batch, out), scratch(batch, out), dx(batch, x.cols());
  const Matrix<float> w = random_matrix(batch, out, rng);
  layer.forward(x, y);
  for (nn::Parameter& p : layer.parameters()) std::fill_n(p.grad.data(), p.grad.rows() * p.grad.cols(), 0.0f);
  layer.backward(x, y, w, dx);
  dx.values()[dx.size() / 2] += corrupt;
  const auto loss = [&] {
    layer.forward(x, scratch);
    return weighted_sum(scratch, w);
  };
  LayerGradients g;
  g.names.push_back("input");
  g.results.push_back(compare_fd(x.values(), dx.values(), h, loss));
  for (nn::Parameter& p : layer.parameters()) {
    const std::span<float> value(p.value.data(), p.value.rows() * p.value.cols());
    std::vector<float> analytic(p.grad.data(), p.grad.data() + value.size());
    analytic[analytic.size() / 2] += corrupt;
    g.names.push_back(p.name);
    g.results.push_back(compare_fd(value, analytic, h, loss));
  }
  return g;
}

inline void check_layer_fd(const std::string& what, nn::Layer& layer, nn::SampleShape in_shape, Matrix<float>& x,
                           double h, double tolerance, std::mt19937& rng) {
  const LayerGradients g = layer_fd(layer, in_shape, x, h, rng);
  for (std::size_t i = 0; i < g.names.size(); ++i) check_fd(what + " " + g.names[i], g.results[i], tolerance);
}

// How many of b's values differ in their bits from a's first b.size() values.
inline std::size_t bits_differ(const Matrix<float>& a, const std::vector<float>& b) {
  std::size_t differ = 0;
  for (std::size_t i = 0; i < b.size(); ++i) differ += std::memcmp(&a.values()[i], &b[i], sizeof(float)) != 0;
  return differ;
}

}  // namespace gibbs::test
