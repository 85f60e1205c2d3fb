// The 2×2 max pooling kernels (modules/nn/kernels/pooling) through nn::MaxPool2d, on every
// compiled Highway target: forward and backward bit for bit against scalar references.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <utility>
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

// The samples' planes as a convolution's chunk holds them: [channels, samples·H·W], sample s's
// plane c at (c, s·H·W).
Matrix<float> to_blocks(const Matrix<float>& rows, std::size_t channels) {
  const std::size_t plane = rows.cols() / channels;
  Matrix<float> blocks(channels, rows.rows() * plane);
  for (std::size_t n = 0; n < rows.rows(); ++n)
    for (std::size_t c = 0; c < channels; ++c)
      for (std::size_t q = 0; q < plane; ++q) blocks(c, n * plane + q) = rows(n, c * plane + q);
  return blocks;
}

// The backward from the forward's output (the kernel), and from the picks the forward on a
// convolution's blocks keeps, against the general scan without either; the forward on the
// blocks gives the same output. On ties, signed zeros and NaN (one or two in a window), widths 2
// to 41, odd and even heights; the blocks of three samples as two chunks, [0, 1) and [1, 3).
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
        const std::size_t out = pool.output_shape(in).size(), plane = height * width;
        Matrix<float> y(3, out), y_picked(3, out), fast(3, in.size(), 7.0f), general(3, in.size());
        std::vector<std::uint8_t> picks(3 * pool.picks_per_sample(), 9);
        const Matrix<float> dy = test::random_matrix(3, out, rng);
        const Matrix<float> blocks = to_blocks(x, 2);
        Matrix<float> picked(2, 3 * plane, 7.0f);
        for (const auto [begin, end] : {std::pair<std::size_t, std::size_t>{0, 1}, {1, 3}}) {
          const auto columns = [&](auto view) { return view.block(0, begin * plane, 2, (end - begin) * plane); };
          pool.forward_blocks(columns(blocks.view()), y_picked, picks, begin, end);
          pool.backward_blocks(picks, dy, columns(picked.view()), begin, end);
        }
        pool.forward(x, y);
        pool.backward(x, y, dy, fast);
        pool.backward(x, {}, dy, general);
        const std::string what = target.name + " " + nn::to_string(in);
        const Matrix<float> expected_blocks = to_blocks(general, 2);
        const std::vector<float> expected(general.values().begin(), general.values().end());
        BOOST_TEST(test::bits_differ(fast, expected) == 0u, what);
        BOOST_TEST(test::bits_differ(picked, {expected_blocks.values().begin(), expected_blocks.values().end()}) == 0u,
                   what << " from picks");
        const std::vector<float> expected_y(y.values().begin(), y.values().end());
        BOOST_TEST(test::bits_differ(y_picked, expected_y) == 0u, what << " keeping picks");
      }
  }
  nn::MaxPool2d pool({1, 4, 4}, 2);
  Matrix<float> blocks(1, 32), y(2, 4);
  std::vector<std::uint8_t> picks(2 * pool.picks_per_sample());
  BOOST_CHECK_THROW(pool.forward_blocks(blocks, y, std::span(picks).first(picks.size() - 1), 0, 2),
                    gibbs::ArgumentError);
  BOOST_CHECK_THROW(pool.forward_blocks(blocks, y, picks, 0, 1), gibbs::ShapeError);     // 2 samples' planes
  BOOST_CHECK_THROW(pool.forward_blocks(blocks, y, picks, 1, 3), gibbs::ArgumentError);  // past the minibatch
  nn::MaxPool2d overlapping({1, 4, 4}, 2, 1);
  BOOST_TEST(!overlapping.has_picks());
}

BOOST_AUTO_TEST_SUITE_END()
