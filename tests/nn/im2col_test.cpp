// im2col's and col2im's row runs (modules/nn/kernels/im2col) through nn::Conv2d's input gradient,
// on every compiled Highway target, against a loop in double: whole rows inside the image and
// rows closer than a vector apart.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include "tests/nn/support.h"
import gibbs.core;
import gibbs.simd;
import gibbs.nn;

using gibbs::Matrix;
namespace nn = gibbs::nn;
namespace simd = gibbs::simd;
namespace test = gibbs::test;

BOOST_AUTO_TEST_SUITE(im2col)

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
