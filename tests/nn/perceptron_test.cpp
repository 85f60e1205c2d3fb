// gibbs.nn's perceptron: the rule against hand-computed steps and the minibatch sum.
#define BOOST_TEST_MODULE perceptron
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <span>
#include <vector>
import gibbs.core;
import gibbs.nn;

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
