// The activations' backward kernel (ActivationBackward, modules/simd/kernels) through
// nn::ActivationLayer, on every compiled Highway target, bit for bit against scalar float arithmetic.
#include <boost/test/unit_test.hpp>

#include <random>
#include <vector>
#include "tests/nn/support.h"
import gibbs.core;
import gibbs.simd;
import gibbs.nn;

using gibbs::Matrix;
namespace nn = gibbs::nn;
namespace simd = gibbs::simd;
namespace test = gibbs::test;

BOOST_AUTO_TEST_SUITE(activation_backward)

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
        BOOST_TEST(test::bits_differ(dx, expected) == 0u,
                   target.name << " " << nn::to_string(layer.spec()) << " " << cols);
      }
  }
}

BOOST_AUTO_TEST_SUITE_END()
