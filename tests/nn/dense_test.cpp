// nn::Dense: forward against a double loop, backward against finite differences, and the
// check itself failing on a deliberately wrong gradient.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>
#include "tests/nn/support.h"
import gibbs.core;
import gibbs.simd;
import gibbs.random;
import gibbs.nn;

using gibbs::Matrix;
namespace nn = gibbs::nn;
namespace simd = gibbs::simd;
namespace test = gibbs::test;

namespace {

double activate(double x, simd::Activation a) {
  switch (a) {
    case simd::Activation::kIdentity: return x;
    case simd::Activation::kSigmoid: return 1.0 / (1.0 + std::exp(-x));
    case simd::Activation::kTanh: return std::tanh(x);
    case simd::Activation::kRelu: return x > 0 ? x : 0.0;
  }
  return x;
}

void randomize(nn::Dense& d, std::mt19937& rng) {
  d.weight() = test::random_matrix(d.inputs(), d.outputs(), rng);
  d.bias() = test::random_matrix(1, d.outputs(), rng);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dense)

BOOST_AUTO_TEST_CASE(forward_matches_a_double_loop_with_every_fused_activation) {
  std::mt19937 rng(1);
  for (const auto [batch, in, out] : {std::tuple{5u, 7u, 3u}, std::tuple{64u, 784u, 128u}, std::tuple{1u, 1u, 1u}}) {
    nn::Dense d(in, out);
    randomize(d, rng);
    const Matrix<float> x = test::random_matrix(batch, in, rng);
    for (const auto act :
         {simd::Activation::kIdentity, simd::Activation::kRelu, simd::Activation::kSigmoid, simd::Activation::kTanh}) {
      Matrix<float> y(batch, out);
      if (act == simd::Activation::kIdentity)
        d.forward(x, y);
      else
        d.forward_fused(x, y, act);
      double worst = 0;
      for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t j = 0; j < out; ++j) {
          double s = d.bias()(0, j), bound = std::abs(s);
          for (std::size_t i = 0; i < in; ++i) {
            s += static_cast<double>(x(n, i)) * d.weight()(i, j);
            bound += std::abs(static_cast<double>(x(n, i)) * d.weight()(i, j));
          }
          // GEMM error bound (K + 4)·2⁻²³·Σ|terms|; activations are 1-Lipschitz, plus their own rounding.
          const double err = std::abs(y(n, j) - activate(s, act));
          worst = std::max(worst, err / ((in + 4) * 0x1p-23 * bound + 4e-7));
        }
      BOOST_TEST(worst <= 1.0, "batch " << batch << " in " << in << " out " << out << ": " << worst);
    }
  }
}

BOOST_AUTO_TEST_CASE(parameters_are_named_and_shaped) {
  nn::Dense d(6, 4);
  const auto params = d.parameters();
  BOOST_REQUIRE_EQUAL(params.size(), 2u);
  BOOST_TEST(params[0].name == "weight");
  BOOST_TEST((params[0].shape == std::vector<std::size_t>{6, 4}));
  BOOST_TEST(params[1].name == "bias");
  BOOST_TEST((params[1].shape == std::vector<std::size_t>{4}));
  BOOST_TEST(nn::to_string(d.spec()) == "dense:4");
  BOOST_TEST(nn::to_string(d.output_shape(nn::flat_shape(6))) == "4");
  BOOST_CHECK_THROW(d.output_shape(nn::flat_shape(5)), gibbs::ArgumentError);
  BOOST_CHECK_THROW(d.output_shape({1, 2, 3}), gibbs::ArgumentError);  // six values, but not flat
  Matrix<float> x(3, 5), y(3, 4);
  BOOST_CHECK_THROW(d.forward(x, y), gibbs::ShapeError);
}

// Dense is linear in x, W and b: central differences are exact up to rounding, so a large
// step keeps the float noise small and the tolerance tight.
BOOST_AUTO_TEST_CASE(gradients_match_finite_differences) {
  std::mt19937 rng(2);
  for (const auto [batch, in, out] : {std::tuple{4u, 6u, 5u}, std::tuple{1u, 3u, 1u}, std::tuple{7u, 1u, 9u}}) {
    nn::Dense d(in, out);
    randomize(d, rng);
    Matrix<float> x = test::random_matrix(batch, in, rng);
    test::check_layer_fd("dense " + std::to_string(in) + "->" + std::to_string(out), d, nn::flat_shape(in), x, 0.5,
                         1e-4, rng);
  }
}

BOOST_AUTO_TEST_CASE(a_gradient_wrong_by_one_percent_in_one_element_fails_the_check) {
  std::mt19937 rng(3);
  nn::Dense d(6, 5);
  randomize(d, rng);
  Matrix<float> x = test::random_matrix(4, 6, rng);
  const test::LayerGradients right = test::layer_fd(d, nn::flat_shape(6), x, 0.5, rng);
  const test::LayerGradients wrong = test::layer_fd(d, nn::flat_shape(6), x, 0.5, rng, 0.01f);
  for (std::size_t i = 0; i < right.names.size(); ++i) {
    BOOST_TEST(right.results[i].worst <= 1e-4, right.names[i]);
    BOOST_TEST(wrong.results[i].worst > 1e-3,
               wrong.names[i] << ": a corrupted gradient passed, error " << wrong.results[i].worst);
  }
}

BOOST_AUTO_TEST_CASE(backward_accumulates_parameter_gradients_and_overwrites_the_input_gradient) {
  std::mt19937 rng(4);
  nn::Dense d(5, 3);
  randomize(d, rng);
  const Matrix<float> x = test::random_matrix(4, 5, rng), dy = test::random_matrix(4, 3, rng);
  Matrix<float> y(4, 3), dx(4, 5, 7.0f);
  d.forward(x, y);
  d.backward(x, y, dy, dx);
  const Matrix<float> w1(d.weight_grad()), b1(d.bias_grad()), dx1 = dx;
  d.backward(x, y, dy, dx);
  for (std::size_t i = 0; i < w1.size(); ++i) BOOST_TEST(d.weight_grad().data()[i] == 2 * w1.values()[i]);
  for (std::size_t i = 0; i < b1.size(); ++i) BOOST_TEST(d.bias_grad().data()[i] == 2 * b1.values()[i]);
  for (std::size_t i = 0; i < dx.size(); ++i) BOOST_TEST(dx.values()[i] == dx1.values()[i]);
  // An empty grad_input: parameter gradients only.
  d.backward(x, y, dy, {});
  for (std::size_t i = 0; i < w1.size(); ++i) BOOST_TEST(d.weight_grad().data()[i] == 3 * w1.values()[i]);
}

BOOST_AUTO_TEST_CASE(initialization_is_pytorch_default_uniform_and_seeded) {
  nn::Dense a(784, 128), b(784, 128), c(784, 128);
  a.initialize({7, 1});
  b.initialize({7, 1});
  c.initialize({7, 2});
  const float bound = 1.0f / 28.0f;
  float lo = 1, hi = -1;
  for (float v : a.weight().values()) lo = std::min(lo, v), hi = std::max(hi, v);
  for (float v : a.bias().values()) lo = std::min(lo, v), hi = std::max(hi, v);
  BOOST_TEST((lo >= -bound && hi <= bound));
  BOOST_TEST((lo < -0.99f * bound && hi > 0.99f * bound));
  BOOST_TEST((a.weight().values()[0] == b.weight().values()[0] && a.bias().values()[5] == b.bias().values()[5]));
  BOOST_TEST(a.weight().values()[0] != c.weight().values()[0]);
  // The documented positions: W from 0, b after W.
  Matrix<float> u(1, 784 * 128 + 128);
  gibbs::random::uniform({7, 1}, 0, u);
  BOOST_TEST(a.weight()(3, 5) == bound * (2.0f * u(0, 3 * 128 + 5) - 1.0f));
  BOOST_TEST(a.bias()(0, 9) == bound * (2.0f * u(0, 784 * 128 + 9) - 1.0f));
}

BOOST_AUTO_TEST_SUITE_END()
