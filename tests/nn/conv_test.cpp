// nn::Conv2d: forward against a plain loop convolution in double, backward against finite
// differences, for odd sizes, strides, padding and kernels of 1 to 5.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
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

struct Geometry {
  nn::SampleShape in;
  std::size_t filters, kernel, stride, padding;
  std::size_t out_h, out_w;  // expected, as PyTorch computes them
};

// Odd and even sizes, non-square images, strides 1 to 3, padding up to past the kernel.
const std::vector<Geometry> kGeometries = {
    {{3, 7, 9}, 4, 3, 2, 1, 4, 5},  // stride 2 and padding, odd sizes
    {{2, 6, 5}, 3, 2, 1, 0, 5, 4},  // even kernel
    {{1, 8, 8}, 2, 5, 3, 2, 3, 3},  // stride 3, padding 2
    {{2, 5, 5}, 3, 1, 1, 0, 5, 5},  // 1×1
    {{1, 4, 4}, 2, 3, 1, 3, 8, 8},  // padding past the kernel: border windows see only zeros
    {{3, 3, 3}, 5, 3, 1, 0, 1, 1},  // one window
};

std::string describe(const Geometry& g) {
  std::ostringstream s;
  s << nn::to_string(g.in) << " conv" << g.kernel << "x" << g.kernel << ":" << g.filters << ":s" << g.stride << ":p"
    << g.padding;
  return s.str();
}

nn::Conv2d make(const Geometry& g, std::mt19937& rng) {
  nn::Conv2d c(g.in, g.filters, g.kernel, g.stride, g.padding);
  c.weight() = test::random_matrix(g.filters, g.in.channels * g.kernel * g.kernel, rng);
  c.bias() = test::random_matrix(1, g.filters, rng);
  return c;
}

// The textbook loop: y[n][f][oy][ox] = b[f] + Σ_c,ky,kx W[f][c][ky][kx]·x[n][c][oy·s − p + ky][ox·s − p + kx].
std::vector<double> reference(const Geometry& g, nn::Conv2d& c, const Matrix<float>& x, std::vector<double>& bound) {
  std::vector<double> y;
  bound.clear();
  const auto k = static_cast<std::ptrdiff_t>(g.kernel);
  for (std::size_t n = 0; n < x.rows(); ++n)
    for (std::size_t f = 0; f < g.filters; ++f)
      for (std::size_t oy = 0; oy < g.out_h; ++oy)
        for (std::size_t ox = 0; ox < g.out_w; ++ox) {
          double s = c.bias()(0, f), b = std::abs(s);
          for (std::size_t ch = 0; ch < g.in.channels; ++ch)
            for (std::ptrdiff_t ky = 0; ky < k; ++ky)
              for (std::ptrdiff_t kx = 0; kx < k; ++kx) {
                const std::ptrdiff_t iy = static_cast<std::ptrdiff_t>(oy * g.stride + ky) - g.padding;
                const std::ptrdiff_t ix = static_cast<std::ptrdiff_t>(ox * g.stride + kx) - g.padding;
                if (iy < 0 || ix < 0 || iy >= static_cast<std::ptrdiff_t>(g.in.height) ||
                    ix >= static_cast<std::ptrdiff_t>(g.in.width))
                  continue;
                const double t = static_cast<double>(c.weight()(f, (ch * g.kernel + ky) * g.kernel + kx)) *
                                 x(n, (ch * g.in.height + iy) * g.in.width + ix);
                s += t;
                b += std::abs(t);
              }
          y.push_back(s);
          bound.push_back(b);
        }
  return y;
}

void check_forward(const Geometry& g, nn::Conv2d& c, const Matrix<float>& x) {
  std::vector<double> bound;
  const std::vector<double> ref = reference(g, c, x, bound);
  Matrix<float> y(x.rows(), g.filters * g.out_h * g.out_w);
  c.forward(x, y);
  BOOST_REQUIRE_EQUAL(y.size(), ref.size());
  const double k = static_cast<double>(g.in.channels * g.kernel * g.kernel);
  double worst = 0;
  for (std::size_t i = 0; i < ref.size(); ++i)
    worst = std::max(worst, std::abs(y.values()[i] - ref[i]) / ((k + 4) * 0x1p-23 * bound[i] + 1e-30));
  BOOST_TEST(worst <= 1.0, describe(g) << ": error " << worst << " of the GEMM bound");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(conv2d)

BOOST_AUTO_TEST_CASE(output_shapes_follow_pytorch) {
  for (const Geometry& g : kGeometries) {
    const nn::Conv2d c(g.in, g.filters, g.kernel, g.stride, g.padding);
    BOOST_TEST((c.output_shape() == nn::SampleShape{g.filters, g.out_h, g.out_w}), describe(g));
  }
  nn::Conv2d c({1, 28, 28}, 32, 3);
  BOOST_TEST(nn::to_string(c.output_shape({1, 28, 28})) == "32x26x26");
  BOOST_TEST(nn::to_string(c.spec()) == "conv3x3:32");
  BOOST_TEST(nn::to_string(nn::Conv2d({3, 9, 9}, 8, 5, 2, 2).spec()) == "conv5x5:8:s2:p2");
  BOOST_CHECK_THROW(c.output_shape({1, 28, 27}), gibbs::ArgumentError);
  BOOST_CHECK_THROW(nn::Conv2d({1, 2, 2}, 4, 3), gibbs::ArgumentError);  // the kernel does not fit
  BOOST_CHECK_THROW(nn::Conv2d({1, 5, 5}, 0, 3), gibbs::ArgumentError);
  BOOST_CHECK_THROW(nn::Conv2d({1, 5, 5}, 2, 3, 0), gibbs::ArgumentError);
  const auto params = c.parameters();
  BOOST_TEST(params[0].name == "weight");
  BOOST_TEST((params[0].shape == std::vector<std::size_t>{32, 1, 3, 3}));
  BOOST_TEST(params[1].name == "bias");
  BOOST_TEST((params[1].shape == std::vector<std::size_t>{32}));
}

BOOST_AUTO_TEST_CASE(forward_matches_a_loop_convolution) {
  std::mt19937 rng(11);
  for (const Geometry& g : kGeometries) {
    nn::Conv2d c = make(g, rng);
    check_forward(g, c, test::random_matrix(3, g.in.size(), rng));
  }
}

BOOST_AUTO_TEST_CASE(forward_matches_a_loop_convolution_at_mnist_size) {
  std::mt19937 rng(12);
  const Geometry g{{1, 28, 28}, 32, 3, 1, 0, 26, 26};
  nn::Conv2d c = make(g, rng);
  check_forward(g, c, test::random_matrix(64, 784, rng, 0.0f, 1.0f));
  const Geometry g2{{32, 13, 13}, 64, 3, 1, 0, 11, 11};
  nn::Conv2d c2 = make(g2, rng);
  check_forward(g2, c2, test::random_matrix(64, g2.in.size(), rng, 0.0f, 1.0f));
  // A smaller batch next reuses the workspace.
  check_forward(g2, c2, test::random_matrix(5, g2.in.size(), rng));
}

BOOST_AUTO_TEST_CASE(fused_activation_equals_a_separate_activation_layer) {
  std::mt19937 rng(13);
  const Geometry& g = kGeometries[0];
  nn::Conv2d c = make(g, rng);
  const Matrix<float> x = test::random_matrix(4, g.in.size(), rng);
  const std::size_t out = c.output_shape().size();
  for (const auto act : {simd::Activation::kRelu, simd::Activation::kSigmoid, simd::Activation::kTanh}) {
    Matrix<float> linear(4, out), separate(4, out), fused(4, out);
    c.forward(x, linear);
    nn::ActivationLayer(act).forward(linear, separate);
    c.forward_fused(x, fused, act);
    BOOST_TEST((fused.values().size() == separate.values().size()));
    for (std::size_t i = 0; i < out * 4; ++i) BOOST_TEST(fused.values()[i] == separate.values()[i]);
  }
}

BOOST_AUTO_TEST_CASE(fused_backward_equals_the_activation_then_the_convolution) {
  std::mt19937 rng(18);
  const Geometry& g = kGeometries[0];
  const nn::Conv2d original = make(g, rng);
  const std::size_t out = original.output_shape().size();
  const Matrix<float> x = test::random_matrix(4, g.in.size(), rng), da = test::random_matrix(4, out, rng);
  for (const auto act : {simd::Activation::kRelu, simd::Activation::kSigmoid, simd::Activation::kTanh}) {
    nn::Conv2d separate = original, fused = original;
    nn::ActivationLayer f(act);
    Matrix<float> a(4, out), dz(4, out), dx_separate(4, g.in.size()), dx_fused(4, g.in.size());
    fused.forward_fused(x, a, act);
    f.backward({}, a, da, dz);
    separate.backward(x, {}, dz, dx_separate);
    BOOST_TEST(fused.backward_fused(x, a, da, act, dx_fused));
    for (std::size_t i = 0; i < dx_fused.size(); ++i) BOOST_TEST(dx_fused.values()[i] == dx_separate.values()[i]);
    for (std::size_t i = 0; i < fused.weight().size(); ++i)
      BOOST_TEST(fused.weight_grad().data()[i] == separate.weight_grad().data()[i]);
    for (std::size_t i = 0; i < fused.bias().size(); ++i)
      BOOST_TEST(fused.bias_grad().data()[i] == separate.bias_grad().data()[i]);
  }
  // Dense has no fused backward: the network runs the two passes.
  nn::Dense dense(3, 2);
  Matrix<float> x3(1, 3), a2(1, 2), dx3(1, 3);
  BOOST_TEST(!dense.backward_fused(x3, a2, a2, simd::Activation::kRelu, dx3));
}

// Linear in x, W and b: a large step, a tight tolerance.
BOOST_AUTO_TEST_CASE(gradients_match_finite_differences) {
  std::mt19937 rng(14);
  for (const Geometry& g : kGeometries) {
    nn::Conv2d c = make(g, rng);
    Matrix<float> x = test::random_matrix(3, g.in.size(), rng);
    test::check_layer_fd(describe(g), c, g.in, x, 0.5, 1e-4, rng);
  }
}

BOOST_AUTO_TEST_CASE(a_gradient_wrong_by_one_percent_in_one_element_fails_the_check) {
  std::mt19937 rng(15);
  const Geometry& g = kGeometries[0];
  nn::Conv2d c = make(g, rng);
  Matrix<float> x = test::random_matrix(2, g.in.size(), rng);
  const test::LayerGradients wrong = test::layer_fd(c, g.in, x, 0.5, rng, 0.01f);
  for (std::size_t i = 0; i < wrong.names.size(); ++i)
    BOOST_TEST(wrong.results[i].worst > 1e-3, wrong.names[i] << ": error " << wrong.results[i].worst);
}

BOOST_AUTO_TEST_CASE(backward_keeps_nothing_from_forward) {
  std::mt19937 rng(16);
  const Geometry& g = kGeometries[0];
  nn::Conv2d a = make(g, rng);
  nn::Conv2d b = a;
  const std::size_t out = a.output_shape().size();
  const Matrix<float> x = test::random_matrix(3, g.in.size(), rng), dy = test::random_matrix(3, out, rng);
  const Matrix<float> other = test::random_matrix(5, g.in.size(), rng);
  Matrix<float> y(3, out), y_other(5, out), dx_a(3, g.in.size()), dx_b(3, g.in.size());
  a.forward(x, y);
  a.backward(x, y, dy, dx_a);
  b.forward(other, y_other);  // another batch in between, then backward of the first
  b.backward(x, y, dy, dx_b);
  for (std::size_t i = 0; i < dx_a.size(); ++i) BOOST_TEST(dx_a.values()[i] == dx_b.values()[i]);
  for (std::size_t i = 0; i < a.weight().size(); ++i)
    BOOST_TEST(a.weight_grad().data()[i] == b.weight_grad().data()[i]);
}

// Batches larger than one chunk (20 samples: 4 chunks of 5 in the W6 CNN's second layer):
// the same results as layer by layer on each sample alone, to rounding of the chunk sums.
BOOST_AUTO_TEST_CASE(minibatches_of_several_chunks) {
  std::mt19937 rng(17);
  const Geometry g{{32, 13, 13}, 64, 3, 1, 0, 11, 11};
  nn::Conv2d c = make(g, rng);
  Matrix<float> x = test::random_matrix(20, g.in.size(), rng);
  check_forward(g, c, x);
  const Matrix<float> dy = test::random_matrix(20, c.output_shape().size(), rng);
  Matrix<float> y(20, c.output_shape().size()), dx(20, g.in.size());
  c.forward(x, y);
  c.backward(x, y, dy, dx);
  const Matrix<float> all(c.weight_grad()), all_bias(c.bias_grad());
  c.zero_grad();
  double worst = 0;
  for (std::size_t n = 0; n < 20; ++n) {
    Matrix<float> yn(1, y.cols()), dxn(1, dx.cols());
    const gibbs::ConstView<float> xn = x.view().block(n, 0, 1, x.cols()), dyn = dy.view().block(n, 0, 1, dy.cols());
    c.forward(xn, yn);
    c.backward(xn, yn, dyn, dxn);
    for (std::size_t i = 0; i < dx.cols(); ++i) BOOST_TEST(dxn(0, i) == dx(n, i));
  }
  // The two sum 20·121 products per weight in different orders: compare on the gradient's scale.
  double squares = 0;
  for (float v : all.values()) squares += static_cast<double>(v) * v;
  const double rms = std::sqrt(squares / all.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(all.values()[i]) - c.weight_grad().data()[i]) / rms);
  for (std::size_t i = 0; i < all_bias.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(all_bias.values()[i]) - c.bias_grad().data()[i]) / rms);
  BOOST_TEST(worst <= 1e-5, "weight gradient: difference " << worst << " of its rms");
}

// The weight gradient, patches · grad_resultᵀ, on the dot-product kernel (at least 256 columns
// a chunk) and on the tile kernel (fewer), with more filters than the dot kernel's 48 rows:
// against the textbook loop in double, on every window path: inside the image with 3×3 and
// other kernels, and across padded borders.
BOOST_AUTO_TEST_CASE(weight_gradient_matches_a_loop_on_both_kernels) {
  std::mt19937 rng(18);
  for (const Geometry& g : {Geometry{{3, 9, 8}, 64, 3, 1, 0, 7, 6}, Geometry{{3, 7, 9}, 50, 3, 2, 1, 4, 5},
                            Geometry{{2, 6, 5}, 49, 2, 1, 0, 5, 4}, Geometry{{1, 4, 4}, 64, 3, 1, 3, 8, 8}}) {
    nn::Conv2d c = make(g, rng);
    const std::size_t batch = 7, taps = g.in.channels * g.kernel * g.kernel, pixels = g.out_h * g.out_w;
    const Matrix<float> x = test::random_matrix(batch, g.in.size(), rng);
    const Matrix<float> dy = test::random_matrix(batch, c.output_shape().size(), rng);
    Matrix<float> y(batch, c.output_shape().size()), dx(batch, g.in.size());
    c.zero_grad();
    c.forward(x, y);
    c.backward(x, y, dy, dx);
    double worst = 0;
    for (std::size_t f = 0; f < g.filters; ++f) {
      double bias = 0;
      for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t q = 0; q < pixels; ++q) bias += dy(n, f * pixels + q);
      worst = std::max(worst, std::abs(bias - c.bias_grad()(0, f)) / (1.0 + std::abs(bias)));
      for (std::size_t t = 0; t < taps; ++t) {
        const std::size_t ch = t / (g.kernel * g.kernel), ky = t / g.kernel % g.kernel, kx = t % g.kernel;
        double sum = 0;
        for (std::size_t n = 0; n < batch; ++n)
          for (std::size_t oy = 0; oy < g.out_h; ++oy)
            for (std::size_t ox = 0; ox < g.out_w; ++ox) {
              const auto iy = static_cast<long>(oy * g.stride + ky) - static_cast<long>(g.padding);
              const auto ix = static_cast<long>(ox * g.stride + kx) - static_cast<long>(g.padding);
              if (iy < 0 || ix < 0 || iy >= static_cast<long>(g.in.height) || ix >= static_cast<long>(g.in.width))
                continue;
              sum +=
                  static_cast<double>(dy(n, f * pixels + oy * g.out_w + ox)) *
                  x(n, (ch * g.in.height + static_cast<std::size_t>(iy)) * g.in.width + static_cast<std::size_t>(ix));
            }
        worst = std::max(worst, std::abs(sum - c.weight_grad()(f, t)) / (1.0 + std::abs(sum)));
      }
    }
    BOOST_TEST(worst <= 1e-5, describe(g) << ": weight and bias gradients differ by " << worst);
  }
}

BOOST_AUTO_TEST_SUITE_END()
