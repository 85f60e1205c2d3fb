// nn::ActivationLayer and nn::Flatten: forward against double references, backward against
// finite differences (sign's straight-through backward checked as documented).
#include <boost/test/unit_test.hpp>

#include <cmath>
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

// Double-precision softmax of one row.
std::vector<double> softmax(const float* x, std::size_t n) {
  double m = x[0];
  for (std::size_t i = 1; i < n; ++i) m = std::max<double>(m, x[i]);
  std::vector<double> y(n);
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += y[i] = std::exp(x[i] - m);
  for (double& v : y) v /= s;
  return y;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(activations)

BOOST_AUTO_TEST_CASE(forward_matches_double_references) {
  std::mt19937 rng(31);
  const Matrix<float> x = test::random_matrix(6, 37, rng, -6.0f, 6.0f);
  Matrix<float> y(6, 37);
  const std::vector<std::pair<nn::LayerSpec, double (*)(double)>> cases = {
      {{.activation = simd::Activation::kRelu}, [](double v) { return v > 0 ? v : 0.0; }},
      {{.activation = simd::Activation::kTanh}, [](double v) { return std::tanh(v); }},
      {{.activation = simd::Activation::kSigmoid}, [](double v) { return 1 / (1 + std::exp(-v)); }},
      {{.activation = simd::Activation::kIdentity}, [](double v) { return v; }},
      {{.kind = nn::LayerKind::kSign}, [](double v) { return v >= 0 ? 1.0 : -1.0; }},
  };
  for (const auto& [spec, f] : cases) {
    nn::ActivationLayer layer(spec);
    layer.forward(x, y);
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double ref = f(x.values()[i]);
      worst = std::max(worst, std::abs(y.values()[i] - ref) / std::max(std::abs(ref), 1e-30));
    }
    BOOST_TEST(worst <= 4e-7, nn::to_string(spec) << ": relative error " << worst);
  }
  nn::ActivationLayer softmax_layer({.kind = nn::LayerKind::kSoftmax});
  softmax_layer.forward(x, y);
  double worst = 0;
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const std::vector<double> ref = softmax(x.row(r).data(), x.cols());
    for (std::size_t c = 0; c < x.cols(); ++c) worst = std::max(worst, std::abs(y(r, c) - ref[c]) / ref[c]);
  }
  BOOST_TEST(worst <= 1e-6, "softmax: relative error " << worst);
}

BOOST_AUTO_TEST_CASE(sign_of_zero_is_plus_one_and_nan_stays_nan) {
  nn::ActivationLayer sign({.kind = nn::LayerKind::kSign});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Matrix<float> x(1, 6), y(1, 6);
  const float values[6] = {0.0f, -0.0f, 1e-30f, -1e-30f, -7.0f, nan};
  std::copy(values, values + 6, x.data());
  sign.forward(x, y);
  BOOST_TEST(y(0, 0) == 1.0f);
  BOOST_TEST(y(0, 1) == 1.0f);
  BOOST_TEST(y(0, 2) == 1.0f);
  BOOST_TEST(y(0, 3) == -1.0f);
  BOOST_TEST(y(0, 4) == -1.0f);
  BOOST_TEST(std::isnan(y(0, 5)));
}

BOOST_AUTO_TEST_CASE(sign_backward_passes_the_gradient_straight_through) {
  std::mt19937 rng(32);
  nn::ActivationLayer sign({.kind = nn::LayerKind::kSign});
  const Matrix<float> x = test::random_matrix(3, 8, rng), dy = test::random_matrix(3, 8, rng);
  Matrix<float> y(3, 8), dx(3, 8);
  sign.forward(x, y);
  sign.backward(x, y, dy, dx);
  for (std::size_t i = 0; i < dx.size(); ++i) BOOST_TEST(dx.values()[i] == dy.values()[i]);
}

BOOST_AUTO_TEST_CASE(softmax_is_stable_at_large_logits) {
  nn::ActivationLayer softmax_layer({.kind = nn::LayerKind::kSoftmax});
  Matrix<float> x(2, 3), y(2, 3);
  const float values[6] = {1e4f, -1e4f, 1e4f, -1e4f, -1e4f + 1.0f, -1e4f};
  std::copy(values, values + 6, x.data());
  softmax_layer.forward(x, y);
  BOOST_TEST(y(0, 0) == 0.5f);
  BOOST_TEST(y(0, 1) == 0.0f);
  BOOST_TEST(y(0, 2) == 0.5f);
  const std::vector<double> ref = softmax(x.row(1).data(), 3);  // e / (e + 2) and 1 / (e + 2)
  for (std::size_t c = 0; c < 3; ++c) BOOST_TEST(std::abs(y(1, c) - ref[c]) <= 1e-6 * ref[c]);
}

// Smooth functions: h = 1e-2 leaves a truncation error of about h²·f‴/6 ≈ 2e-5 relative.
BOOST_AUTO_TEST_CASE(gradients_match_finite_differences) {
  std::mt19937 rng(33);
  for (const nn::LayerSpec spec :
       {nn::LayerSpec{.activation = simd::Activation::kTanh}, nn::LayerSpec{.activation = simd::Activation::kSigmoid},
        nn::LayerSpec{.kind = nn::LayerKind::kSoftmax}, nn::LayerSpec{.activation = simd::Activation::kIdentity}}) {
    nn::ActivationLayer layer(spec);
    Matrix<float> x = test::random_matrix(4, 9, rng, -3.0f, 3.0f);
    test::check_layer_fd(nn::to_string(spec), layer, {9, 1, 1}, x, 1e-2, 2e-4, rng);
    const test::LayerGradients wrong = test::layer_fd(layer, {9, 1, 1}, x, 1e-2, rng, 0.01f);
    BOOST_TEST(wrong.results[0].worst > 1e-3, nn::to_string(spec) << ": a corrupted gradient passed");
  }
  // relu away from its kink: |x| ≥ 0.1 and h = 0.01.
  nn::ActivationLayer relu(simd::Activation::kRelu);
  Matrix<float> x = test::away_from_zero(4, 9, rng, 0.1f, 2.0f);
  test::check_layer_fd("relu", relu, {9, 1, 1}, x, 1e-2, 1e-4, rng);
}

BOOST_AUTO_TEST_CASE(relu_gradient_at_zero_is_zero_as_in_pytorch) {
  nn::ActivationLayer relu(simd::Activation::kRelu);
  Matrix<float> x(1, 3), y(1, 3), dy(1, 3, 1.0f), dx(1, 3);
  x(0, 0) = 0.0f, x(0, 1) = -0.0f, x(0, 2) = 1.0f;
  relu.forward(x, y);
  relu.backward(x, y, dy, dx);
  BOOST_TEST(dx(0, 0) == 0.0f);
  BOOST_TEST(dx(0, 1) == 0.0f);
  BOOST_TEST(dx(0, 2) == 1.0f);
}

BOOST_AUTO_TEST_CASE(only_activations_make_activation_layers) {
  BOOST_CHECK_THROW(nn::ActivationLayer{nn::LayerSpec{.kind = nn::LayerKind::kDense}}, gibbs::ArgumentError);
  BOOST_TEST((nn::ActivationLayer(simd::Activation::kTanh).output_shape({3, 4, 5}) == nn::SampleShape{3, 4, 5}));
  BOOST_TEST(nn::ActivationLayer(simd::Activation::kIdentity).passes_through());
  BOOST_TEST(!nn::ActivationLayer(simd::Activation::kRelu).passes_through());
}

BOOST_AUTO_TEST_CASE(flatten_keeps_the_values_and_flattens_the_shape) {
  std::mt19937 rng(34);
  nn::Flatten flatten;
  BOOST_TEST((flatten.output_shape({32, 5, 5}) == nn::flat_shape(800)));
  BOOST_TEST(nn::to_string(flatten.output_shape({32, 5, 5})) == "800");
  const Matrix<float> x = test::random_matrix(3, 800, rng), dy = test::random_matrix(3, 800, rng);
  Matrix<float> y(3, 800), dx(3, 800);
  flatten.forward(x, y);
  flatten.backward(x, y, dy, dx);
  for (std::size_t i = 0; i < x.size(); ++i)
    BOOST_TEST((y.values()[i] == x.values()[i] && dx.values()[i] == dy.values()[i]));
  BOOST_TEST(flatten.passes_through());
}

BOOST_AUTO_TEST_SUITE_END()
