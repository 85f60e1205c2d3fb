// nn::MaxPool2d: forward against a loop, ties and NaN as PyTorch, backward against finite
// differences on inputs without near-ties.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>
#include "tests/nn/support.h"
import gibbs.core;
import gibbs.nn;

using gibbs::Matrix;
namespace nn = gibbs::nn;
namespace test = gibbs::test;

namespace {

struct Pool {
  nn::SampleShape in;
  std::size_t kernel, stride;
  std::size_t out_h, out_w;
};

const std::vector<Pool> kPools = {
    {{3, 7, 9}, 2, 2, 3, 4},  // odd sizes: the last row and column are dropped (floor)
    {{2, 7, 7}, 3, 2, 3, 3},  // overlapping windows
    {{1, 5, 6}, 2, 1, 4, 5},  // stride 1
    {{2, 4, 4}, 4, 4, 1, 1},  // one window per channel
};

std::string describe(const Pool& p) {
  return nn::to_string(p.in) + " maxpool" + std::to_string(p.kernel) + ":s" + std::to_string(p.stride);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(maxpool)

BOOST_AUTO_TEST_CASE(forward_matches_a_loop) {
  std::mt19937 rng(21);
  for (const Pool& p : kPools) {
    nn::MaxPool2d pool(p.in, p.kernel, p.stride);
    BOOST_TEST((pool.output_shape(p.in) == nn::SampleShape{p.in.channels, p.out_h, p.out_w}), describe(p));
    const Matrix<float> x = test::random_matrix(3, p.in.size(), rng);
    Matrix<float> y(3, pool.output_shape().size());
    pool.forward(x, y);
    std::size_t bad = 0;
    for (std::size_t n = 0; n < 3; ++n)
      for (std::size_t c = 0; c < p.in.channels; ++c)
        for (std::size_t oy = 0; oy < p.out_h; ++oy)
          for (std::size_t ox = 0; ox < p.out_w; ++ox) {
            float m = -std::numeric_limits<float>::infinity();
            for (std::size_t ky = 0; ky < p.kernel; ++ky)
              for (std::size_t kx = 0; kx < p.kernel; ++kx)
                m = std::max(m, x(n, (c * p.in.height + oy * p.stride + ky) * p.in.width + ox * p.stride + kx));
            bad += y(n, (c * p.out_h + oy) * p.out_w + ox) != m;
          }
    BOOST_TEST(bad == 0u, describe(p));
  }
  BOOST_TEST(nn::to_string(nn::MaxPool2d({1, 4, 4}, 2).spec()) == "maxpool2");
  BOOST_TEST(nn::to_string(nn::MaxPool2d({1, 4, 4}, 3, 2).spec()) == "maxpool3:s2");
  BOOST_CHECK_THROW(nn::MaxPool2d({1, 1, 4}, 2), gibbs::ArgumentError);
  BOOST_TEST(nn::MaxPool2d({1, 4, 4}, 2).parameters().empty());
}

BOOST_AUTO_TEST_CASE(ties_go_to_the_first_and_nan_wins) {
  nn::MaxPool2d pool({1, 2, 4}, 2);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Matrix<float> x(1, 8), y(1, 2), dx(1, 8);
  // Window 0: 5 at (0, 0) and (1, 1); window 1: a NaN at (1, 2).
  const float values[8] = {5, 1, 0, 2, 3, 5, nan, 9};
  std::copy(values, values + 8, x.data());
  pool.forward(x, y);
  BOOST_TEST(y(0, 0) == 5.0f);
  BOOST_TEST(std::isnan(y(0, 1)));
  Matrix<float> dy(1, 2, 1.0f);
  pool.backward(x, y, dy, dx);
  const float expected[8] = {1, 0, 0, 0, 0, 0, 1, 0};
  for (int i = 0; i < 8; ++i) BOOST_TEST(dx.values()[i] == expected[i], "element " << i);
}

// The 2×2 path finds each window's pick from the forward's output; without the output the
// general scan runs. With ties everywhere (as after a relu), NaNs and signed zeros they agree.
BOOST_AUTO_TEST_CASE(the_fast_two_by_two_backward_agrees_with_the_general_scan) {
  std::mt19937 rng(23);
  for (const nn::SampleShape in : {nn::SampleShape{3, 7, 9}, nn::SampleShape{2, 8, 6}}) {
    nn::MaxPool2d pool(in, 2);
    Matrix<float> x(4, in.size());
    std::uniform_int_distribution<int> level(-3, 3);
    for (float& v : x.values()) v = std::max(0.0f, 0.5f * static_cast<float>(level(rng)));  // many ties at 0
    x.values()[5] = -0.0f;
    x.values()[17] = std::numeric_limits<float>::quiet_NaN();
    x.values()[40] = std::numeric_limits<float>::quiet_NaN();
    x.values()[41] = std::numeric_limits<float>::quiet_NaN();
    const std::size_t out = pool.output_shape().size();
    Matrix<float> y(4, out), dx_fast(4, in.size()), dx_general(4, in.size());
    const Matrix<float> dy = test::random_matrix(4, out, rng);
    pool.forward(x, y);
    pool.backward(x, y, dy, dx_fast);
    pool.backward(x, {}, dy, dx_general);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      differ += std::memcmp(&dx_fast.values()[i], &dx_general.values()[i], sizeof(float)) != 0;
    BOOST_TEST(differ == 0u, nn::to_string(in) << ": " << differ << " elements differ");
  }
}

// Piecewise linear: with values 0.05 apart and steps of 0.01 no window changes its pick, so
// the differences are exact up to rounding.
BOOST_AUTO_TEST_CASE(gradients_match_finite_differences) {
  std::mt19937 rng(22);
  for (const Pool& p : kPools) {
    nn::MaxPool2d pool(p.in, p.kernel, p.stride);
    Matrix<float> x = test::distinct_matrix(2, p.in.size(), rng, 0.05f);
    test::check_layer_fd(describe(p), pool, p.in, x, 0.01, 1e-4, rng);
    // And the check fails on a wrong gradient.
    const test::LayerGradients wrong = test::layer_fd(pool, p.in, x, 0.01, rng, 0.01f);
    BOOST_TEST(wrong.results[0].worst > 1e-3, describe(p) << ": a corrupted gradient passed");
  }
}

BOOST_AUTO_TEST_SUITE_END()
