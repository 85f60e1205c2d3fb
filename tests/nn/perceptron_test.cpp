// gibbs.nn's perceptron: the rule against hand-computed steps, the minibatch sum, the capacity
// sweep against a literal replay of the notebook's loop, its half point for N = 20, and the same
// result for any thread count.
#define BOOST_TEST_MODULE perceptron
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>
import gibbs.core;
import gibbs.nn;
import gibbs.random;

namespace nn = gibbs::nn;

BOOST_AUTO_TEST_CASE(sign_is_minus_one_at_zero) {
  BOOST_TEST(nn::perceptron_sign(0.0f) == -1.0f);
  BOOST_TEST(nn::perceptron_sign(-0.0f) == -1.0f);
  BOOST_TEST(nn::perceptron_sign(1e-30f) == 1.0f);
  BOOST_TEST(nn::perceptron_sign(-3.0f) == -1.0f);
}

BOOST_AUTO_TEST_CASE(one_step_by_hand) {
  // w = (0.5, −1), b = 0.25, x = (1, 1): z = −0.25, ŷ = −1; y = +1 gives y − ŷ = 2, and with
  // lr 0.1: w += 0.2·x → (0.7, −0.8), b → 0.45.
  std::vector<float> w{0.5f, -1.0f};
  float b = 0.25f;
  const std::vector<float> x{1.0f, 1.0f};
  BOOST_TEST(nn::perceptron_net(w, b, x) == -0.25f);
  BOOST_TEST(nn::perceptron_update(w, b, x, 1.0f, 0.1f) == 2.0f);
  BOOST_TEST(w[0] == 0.5f + 0.1f * 2.0f);
  BOOST_TEST(w[1] == -1.0f + 0.1f * 2.0f);
  BOOST_TEST(b == 0.25f + 0.1f * 2.0f);
  // Now z = 0.7 − 0.8 + 0.45 = 0.35 > 0: right, nothing changes.
  BOOST_TEST(nn::perceptron_update(w, b, x, 1.0f, 0.1f) == 0.0f);
  BOOST_TEST(w[0] == 0.5f + 0.1f * 2.0f);
  // y = −1 on x = (1, 0): z = 0.7 + 0.45 = 1.15 > 0, wrong by −2; lr 0.5 subtracts x.
  const std::vector<float> x2{1.0f, 0.0f};
  BOOST_TEST(nn::perceptron_update(w, b, x2, -1.0f, 0.5f) == -2.0f);
  BOOST_TEST(w[0] == (0.5f + 0.1f * 2.0f) - 1.0f);
  BOOST_TEST(w[1] == -1.0f + 0.1f * 2.0f);
  BOOST_TEST(b == (0.25f + 0.1f * 2.0f) - 1.0f);
}

BOOST_AUTO_TEST_CASE(a_minibatch_sums_the_rule_from_the_same_weights) {
  // From zero weights every ŷ is −1: rows with y = +1 add 2·lr·x, rows with y = −1 add nothing.
  gibbs::Matrix<float> x(3, 2);
  x(0, 0) = 1, x(0, 1) = -1, x(1, 0) = 1, x(1, 1) = 1, x(2, 0) = -1, x(2, 1) = 1;
  const std::vector<float> y{1, 1, -1};
  std::vector<float> w{0, 0};
  float b = 0;
  BOOST_TEST(nn::perceptron_batch_update(w, b, x, y, 0.5f) == 2u);
  BOOST_TEST(w[0] == 2.0f);  // 1·(1 + 1)
  BOOST_TEST(w[1] == 0.0f);  // 1·(−1 + 1)
  BOOST_TEST(b == 2.0f);
  // Per sample in the same order it differs: the second row is right after the first update.
  std::vector<float> w1{0, 0};
  float b1 = 0;
  for (std::size_t r = 0; r < 3; ++r) nn::perceptron_update(w1, b1, x.row(r), y[r], 0.5f);
  BOOST_TEST(w1[0] == 1.0f);
  BOOST_TEST(w1[1] == -1.0f);
  BOOST_TEST(b1 == 1.0f);
  // One row is exactly the per-sample rule.
  std::vector<float> w2{0.3f, -0.2f}, w3 = w2;
  float b2 = 0.1f, b3 = 0.1f;
  nn::perceptron_batch_update(w2, b2, x.view().block(0, 0, 1, 2), std::span(y).first(1), 0.01f);
  nn::perceptron_update(w3, b3, x.row(0), y[0], 0.01f);
  BOOST_TEST(w2 == w3);
  BOOST_TEST(b2 == b3);
}

namespace {

// The notebook's loop, literally: check the error on every pattern, stop at zero, else one epoch
// of per-sample updates in a fresh order; the draws addressed as capacity_sweep documents.
bool notebook_trial(const nn::CapacitySettings& s, std::size_t patterns, std::size_t trial) {
  const std::size_t n = s.inputs;
  const gibbs::random::Stream stream{s.seed, (std::uint64_t{patterns} << 32) | trial};
  std::vector<float> x(patterns * n), y(patterns), w(n, 0.0f);
  gibbs::random::uniform(stream, 0, x);
  for (float& v : x) v = 2 * v - 1;
  gibbs::random::uniform(stream, patterns * n, y);
  for (float& v : y) v = v < 0.5f ? -1.0f : 1.0f;
  float b = 0;
  std::vector<std::uint32_t> order(patterns), raw(2 * patterns);
  for (std::size_t epoch = 0;; ++epoch) {
    double error = 0;
    for (std::size_t p = 0; p < patterns; ++p) {
      const float e = y[p] - nn::perceptron_sign(nn::perceptron_net(w, b, std::span(x).subspan(p * n, n)));
      error += e * e;
    }
    if (error == 0) return true;
    if (epoch == s.max_epochs) return false;
    gibbs::random::permutation(stream, patterns * (n + 1) + 2 * patterns * epoch, order, raw);
    for (const std::uint32_t p : order) nn::perceptron_update(w, b, std::span(x).subspan(p * n, n), y[p], s.lr);
  }
}

nn::CapacitySettings n20(std::size_t max_patterns, std::size_t step) {
  nn::CapacitySettings s{20, {}, 50, 100, 0.01f, 5};
  for (std::size_t p = step; p <= max_patterns; p += step) s.patterns.push_back(p);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_trial_is_the_notebooks_loop) {
  nn::CapacitySettings s = n20(0, 1);
  s.trials = 10, s.max_epochs = 30;
  std::size_t learned = 0, total = 0;
  for (const std::size_t p : {1, 2, 5, 20, 30, 38, 41, 45, 60})
    for (std::size_t t = 0; t < s.trials; ++t) {
      const bool ours = nn::capacity_trial(s, p, t);
      BOOST_TEST(ours == notebook_trial(s, p, t), "P " << p << " trial " << t);
      learned += ours, ++total;
    }
  BOOST_TEST(learned > 0u);  // both outcomes are exercised
  BOOST_TEST(learned < total);
}

BOOST_AUTO_TEST_CASE(the_half_point_for_20_inputs_is_near_two) {
  gibbs::set_thread_count(0);
  const nn::CapacitySettings s = n20(70, 2);
  const std::vector<nn::CapacityPoint> points = nn::capacity_sweep(s);
  BOOST_TEST_REQUIRE(points.size() == 35u);
  BOOST_TEST(points.front().fraction() == 1.0);  // 2 patterns: always learned
  BOOST_TEST(points.back().fraction() == 0.0);   // 70 patterns = 3.5 N: never
  const double half = nn::half_point(points, s.inputs);
  BOOST_TEST_MESSAGE("half point P/N = " << half);
  BOOST_TEST(half > 1.5);
  BOOST_TEST(half < 2.5);
}

BOOST_AUTO_TEST_CASE(the_sweep_is_the_same_for_any_thread_count) {
  const nn::CapacitySettings s = n20(60, 3);
  gibbs::set_thread_count(1);
  const std::vector<nn::CapacityPoint> one = nn::capacity_sweep(s);
  gibbs::set_thread_count(2);
  const std::vector<nn::CapacityPoint> two = nn::capacity_sweep(s);
  gibbs::set_thread_count(0);
  BOOST_TEST_REQUIRE(one.size() == two.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    BOOST_TEST(one[i].patterns == two[i].patterns);
    BOOST_TEST(one[i].learned == two[i].learned, "P " << one[i].patterns);
    std::size_t serial = 0;  // and both equal the trials run one by one
    for (std::size_t t = 0; t < s.trials; ++t) serial += nn::capacity_trial(s, one[i].patterns, t);
    BOOST_TEST(one[i].learned == serial);
  }
}

BOOST_AUTO_TEST_CASE(half_point_interpolates) {
  const std::vector<nn::CapacityPoint> points{{10, 10, 10}, {20, 8, 10}, {30, 2, 10}, {40, 0, 10}};
  BOOST_TEST(nn::half_point(points, 10) == 2.5);  // 0.8 at 2, 0.2 at 3: 1/2 halfway
  const std::vector<nn::CapacityPoint> never{{10, 10, 10}, {20, 6, 10}};
  BOOST_TEST(std::isnan(nn::half_point(never, 10)));
  nn::CapacitySettings bad = n20(4, 1);
  bad.patterns.push_back(0);
  BOOST_CHECK_THROW(nn::capacity_sweep(bad), gibbs::ArgumentError);
}
