// gibbs.nn's data-movement kernels (modules/nn/kernels/movement), through the layers that use
// them, on every compiled Highway target: the 2×2 max pooling forward and backward and the
// activations' backward bit for bit against scalar references, im2col and col2im (whole rows inside the
// image, rows closer than a vector apart) against loops in double.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
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

namespace {

std::size_t bits_differ(const Matrix<float>& a, const std::vector<float>& b) {
  std::size_t differ = 0;
  for (std::size_t i = 0; i < b.size(); ++i) differ += std::memcmp(&a.values()[i], &b[i], sizeof(float)) != 0;
  return differ;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(movement)

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
      BOOST_TEST(bits_differ(y, expected) == 0u, target.name << " width " << width);
    }
  }
}

// The backward from the forward's output (the kernel) against the general scan without it, on
// ties, signed zeros and NaN (one or two in a window), widths 2 to 41, odd and even heights.
BOOST_AUTO_TEST_CASE(maxpool_two_by_two_backward_equals_the_general_scan_on_every_target) {
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
        Matrix<float> y(3, out), fast(3, in.size(), 7.0f), general(3, in.size());
        const Matrix<float> dy = test::random_matrix(3, out, rng);
        pool.forward(x, y);
        pool.backward(x, y, dy, fast);
        pool.backward(x, {}, dy, general);
        const std::vector<float> expected(general.values().begin(), general.values().end());
        BOOST_TEST(bits_differ(fast, expected) == 0u, target.name << " " << nn::to_string(in));
      }
  }
}

BOOST_AUTO_TEST_CASE(activation_backward_equals_scalar_float_arithmetic_on_every_target) {
  std::mt19937 rng(32);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (const simd::Activation kind : {simd::Activation::kRelu, simd::Activation::kTanh, simd::Activation::kSigmoid})
      for (std::size_t cols = 1; cols <= 70; cols += 3) {
        nn::ActivationLayer layer(kind);
        Matrix<float> y = test::random_matrix(2, cols, rng, kind == simd::Activation::kRelu ? -1.0f : 0.0f, 1.0f);
        y.values()[0] = kind == simd::Activation::kRelu ? -0.0f : y.values()[0];
        const Matrix<float> dy = test::random_matrix(2, cols, rng);
        std::vector<float> expected;
        for (std::size_t i = 0; i < y.size(); ++i) {
          const float v = y.values()[i], g = dy.values()[i];
          float one_minus = 1.0f - v;
          float square = v * v;
          float gy = g * v;
          expected.push_back(kind == simd::Activation::kRelu   ? (v > 0.0f ? g : 0.0f)
                             : kind == simd::Activation::kTanh ? g * (1.0f - square)
                                                               : gy * one_minus);
        }
        Matrix<float> dx(2, cols);
        layer.backward({}, y, dy, dx);
        BOOST_TEST(bits_differ(dx, expected) == 0u, target.name << " " << nn::to_string(layer.spec()) << " " << cols);
      }
  }
}

// Conv2d's input gradient against the loop Σ_f,ky,kx W[f][c][ky][kx]·dy[f][iy − ky][ix − kx] in double:
// whole output rows inside the image (stride 1, no padding) take the vector copies and adds.
BOOST_AUTO_TEST_CASE(convolution_input_gradient_matches_a_loop_on_every_target) {
  std::mt19937 rng(33);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (const nn::SampleShape in : {nn::SampleShape{2, 13, 13}, nn::SampleShape{1, 6, 30}, nn::SampleShape{3, 5, 4}}) {
      const std::size_t filters = 3, k = 3, oh = in.height - k + 1, ow = in.width - k + 1;
      nn::Conv2d conv(in, filters, k);
      conv.weight() = test::random_matrix(filters, in.channels * k * k, rng);
      const Matrix<float> x = test::random_matrix(5, in.size(), rng);
      const Matrix<float> dy = test::random_matrix(5, filters * oh * ow, rng);
      Matrix<float> y(5, filters * oh * ow), dx(5, in.size());
      conv.forward(x, y);
      conv.backward(x, y, dy, dx);
      double worst = 0.0;
      for (std::size_t n = 0; n < 5; ++n)
        for (std::size_t c = 0; c < in.channels; ++c)
          for (std::size_t iy = 0; iy < in.height; ++iy)
            for (std::size_t ix = 0; ix < in.width; ++ix) {
              double sum = 0.0, bound = 0.0;
              for (std::size_t f = 0; f < filters; ++f)
                for (std::size_t ky = 0; ky < k; ++ky)
                  for (std::size_t kx = 0; kx < k; ++kx) {
                    if (iy < ky || ix < kx || iy - ky >= oh || ix - kx >= ow) continue;
                    const double t = static_cast<double>(conv.weight()(f, (c * k + ky) * k + kx)) *
                                     dy(n, (f * oh + iy - ky) * ow + ix - kx);
                    sum += t;
                    bound += std::abs(t);
                  }
              const double got = dx(n, (c * in.height + iy) * in.width + ix);
              worst = std::max(worst, std::abs(got - sum) / (64 * 0x1p-23 * bound + 1e-30));
            }
      BOOST_TEST(worst <= 1.0, target.name << " " << nn::to_string(in) << ": error " << worst << " of the bound");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
