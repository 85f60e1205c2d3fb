// The 2×2 max pooling kernels (modules/nn/kernels/pooling) through nn::MaxPool2d, on every
// compiled Highway target: forward and backward bit for bit against scalar references.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>
#include "tests/nn/support.h"
import gibbs.core;
import gibbs.simd;
import gibbs.nn;

using gibbs::Matrix;
namespace nn = gibbs::nn;
namespace simd = gibbs::simd;
namespace test = gibbs::test;

BOOST_AUTO_TEST_SUITE(pooling)

// Widths from 2 to 41: outputs of 1 to 20 per row, whole vectors and every tail, on ties (as
// after a relu), signed zeros and NaN.
BOOST_AUTO_TEST_CASE(maxpool_two_by_two_forward_equals_the_scalar_rule_on_every_target) {
  std::mt19937 rng(31);
  std::uniform_int_distribution<int> level(-3, 3), special(0, 19);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (std::size_t width = 2; width <= 41; ++width) {
      const nn::SampleShape in{2, 5, width};
      nn::MaxPool2d pool(in, 2);
      Matrix<float> x(3, in.size());
      for (float& v : x.values()) {
        const int s = special(rng);
        v = s == 0 ? std::numeric_limits<float>::quiet_NaN() : s == 1 ? -0.0f : 0.5f * static_cast<float>(level(rng));
      }
      const nn::SampleShape out = pool.output_shape(in);
      std::vector<float> expected;
      for (std::size_t n = 0; n < 3; ++n)
        for (std::size_t c = 0; c < out.channels; ++c)
          for (std::size_t oy = 0; oy < out.height; ++oy)
            for (std::size_t ox = 0; ox < out.width; ++ox) {
              const auto at = [&](std::size_t dy, std::size_t dx) {
                return x(n, (c * in.height + 2 * oy + dy) * in.width + 2 * ox + dx);
              };
              float best = at(0, 0);
              for (const float v : {at(0, 1), at(1, 0), at(1, 1)})
                if (!(v <= best) && best == best) best = v;
              expected.push_back(best);
            }
      Matrix<float> y(3, out.size());
      pool.forward(x, y);
      BOOST_TEST(test::bits_differ(y, expected) == 0u, target.name << " width " << width);
    }
  }
}

// The backward from the forward's output (the kernel), and from the picks the forward can keep,
// against the general scan without either; the forward that keeps the picks gives the same
// output. On ties, signed zeros and NaN (one or two in a window), widths 2 to 41, odd and even
// heights. A picks buffer of the wrong size is an error.
BOOST_AUTO_TEST_CASE(maxpool_two_by_two_backward_with_or_without_picks_equals_the_general_scan_on_every_target) {
  std::mt19937 rng(34);
  std::uniform_int_distribution<int> level(-3, 3), special(0, 29);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (std::size_t width = 2; width <= 41; ++width)
      for (const std::size_t height : {4, 5}) {
        const nn::SampleShape in{2, height, width};
        nn::MaxPool2d pool(in, 2);
        Matrix<float> x(3, in.size());
        for (float& v : x.values()) {
          const int s = special(rng);
          v = s == 0 ? std::numeric_limits<float>::quiet_NaN() : s == 1 ? -0.0f : 0.5f * static_cast<float>(level(rng));
        }
        const std::size_t out = pool.output_shape(in).size();
        Matrix<float> y(3, out), y_picked(3, out), fast(3, in.size(), 7.0f), picked(3, in.size(), 7.0f),
            general(3, in.size());
        std::vector<std::uint8_t> picks(3 * pool.picks_per_sample(), 9);
        const Matrix<float> dy = test::random_matrix(3, out, rng);
        pool.forward(x, y);
        pool.forward_samples(x, y_picked, picks, 0, 3);
        pool.backward(x, y, dy, fast);
        pool.backward_samples(picks, dy, picked, 0, 3);
        pool.backward(x, {}, dy, general);
        const std::string what = target.name + " " + nn::to_string(in);
        const std::vector<float> expected(general.values().begin(), general.values().end());
        BOOST_TEST(test::bits_differ(fast, expected) == 0u, what);
        BOOST_TEST(test::bits_differ(picked, expected) == 0u, what << " from picks");
        const std::vector<float> expected_y(y.values().begin(), y.values().end());
        BOOST_TEST(test::bits_differ(y_picked, expected_y) == 0u, what << " keeping picks");
      }
  }
  nn::MaxPool2d pool({1, 4, 4}, 2);
  Matrix<float> x(2, 16), y(2, 4);
  std::vector<std::uint8_t> short_picks(2 * pool.picks_per_sample() - 1);
  BOOST_CHECK_THROW(pool.forward_samples(x, y, short_picks, 0, 2), gibbs::ArgumentError);
  nn::MaxPool2d overlapping({1, 4, 4}, 2, 1);
  BOOST_TEST(!overlapping.has_picks());
}

BOOST_AUTO_TEST_SUITE_END()
