// gibbs.nn's perceptron: the rule against hand-computed steps and the minibatch sum, and the
// epoch side by side against the rule lane by lane on every target.
#define BOOST_TEST_MODULE perceptron
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <vector>
import gibbs.core;
import gibbs.simd;
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

// Sixteen perceptrons with their own sample counts (0: sitting out), orders and targets, for
// input counts that leave every tail of a vector, against perceptron_update lane by lane: the
// weights and biases bit for bit, and which lanes updated.
BOOST_AUTO_TEST_CASE(an_epoch_in_lanes_is_the_rule_lane_by_lane_on_every_target) {
  constexpr std::size_t kLanes = nn::kPerceptronLanes;
  std::mt19937 rng(12);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (const auto& target : gibbs::simd::available_targets()) {
    gibbs::simd::ScopedTarget pin(target);
    for (const std::size_t inputs : {1, 3, 4, 7, 8, 15, 16, 17, 20, 33}) {
      const std::size_t most = 12;
      std::vector<std::int32_t> samples(kLanes);
      for (std::size_t l = 0; l < kLanes; ++l) samples[l] = static_cast<std::int32_t>(l == 5 ? 0 : 1 + (l * 7) % most);
      std::vector<float> x(kLanes * most * inputs), y(kLanes * most), w(kLanes * inputs), b(kLanes);
      for (float& v : x) v = u(rng);
      for (float& v : w) v = 0.1f * u(rng);
      for (float& v : b) v = 0.1f * u(rng);
      std::vector<std::int32_t> offsets(kLanes * most, 0);
      for (std::size_t l = 0; l < kLanes; ++l) {
        std::vector<std::int32_t> order(most);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        for (std::size_t t = 0; t < most; ++t) {
          offsets[t * kLanes + l] = static_cast<std::int32_t>((l * most + order[t]) * inputs);
          y[t * kLanes + l] = u(rng) < 0 ? -1.0f : 1.0f;
        }
      }
      std::vector<float> w_lanes = w, b_lanes = b;
      const std::uint32_t updated = nn::perceptron_epoch_in_lanes(w_lanes, b_lanes, x, offsets, y, samples, 0.3f);
      std::uint32_t expected_updated = 0;
      for (std::size_t l = 0; l < kLanes; ++l) {
        std::vector<float> wl(inputs);
        for (std::size_t i = 0; i < inputs; ++i) wl[i] = w[i * kLanes + l];
        float bl = b[l];
        for (std::int32_t t = 0; t < samples[l]; ++t) {
          const std::span<const float> row(x.data() + offsets[t * kLanes + l], inputs);
          if (nn::perceptron_update(wl, bl, row, y[t * kLanes + l], 0.3f) != 0) expected_updated |= 1u << l;
        }
        for (std::size_t i = 0; i < inputs; ++i)
          BOOST_TEST(std::memcmp(&wl[i], &w_lanes[i * kLanes + l], sizeof(float)) == 0,
                     target.name << " inputs " << inputs << " lane " << l << " weight " << i);
        BOOST_TEST(std::memcmp(&bl, &b_lanes[l], sizeof(float)) == 0, target.name << " inputs " << inputs);
      }
      BOOST_TEST(updated == expected_updated, target.name << " inputs " << inputs);
      BOOST_TEST((updated >> 5 & 1u) == 0u);  // the lane sitting out
    }
  }
}

BOOST_AUTO_TEST_CASE(an_epoch_in_lanes_refuses_what_does_not_fit) {
  constexpr std::size_t kLanes = nn::kPerceptronLanes;
  std::vector<float> x(2 * kLanes * 3), y(kLanes), w(kLanes * 3), b(kLanes);
  std::vector<std::int32_t> offsets(kLanes, 0), samples(kLanes, 1);
  std::vector<float> short_b(kLanes - 1);
  BOOST_CHECK_THROW(nn::perceptron_epoch_in_lanes(w, short_b, x, offsets, y, samples, 0.1f), gibbs::ShapeError);
  std::vector<std::int32_t> two(kLanes, 2);  // two steps, one step's offsets and targets
  BOOST_CHECK_THROW(nn::perceptron_epoch_in_lanes(w, b, x, offsets, y, two, 0.1f), gibbs::ShapeError);
  offsets[7] = static_cast<std::int32_t>(x.size() - 2);  // a row of 3 that would end past x
  BOOST_CHECK_EXCEPTION(nn::perceptron_epoch_in_lanes(w, b, x, offsets, y, samples, 0.1f), gibbs::ArgumentError,
                        [](const gibbs::ArgumentError& e) {
                          return std::string(e.what()) ==
                                 "perceptron_epoch_in_lanes: a sample at offset 94 of 96 values, 3 inputs";
                        });
  samples[3] = -1;
  BOOST_CHECK_THROW(nn::perceptron_epoch_in_lanes(w, b, x, offsets, y, samples, 0.1f), gibbs::ArgumentError);
}
