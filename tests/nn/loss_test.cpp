// The losses: values against hand-computed answers, gradients against finite differences,
// softmax cross-entropy stable at logits of ±1e4, PyTorch's clamps in binary cross-entropy.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>
#include "tests/nn/support.h"
import gibbs.core;
import gibbs.nn;
import gibbs.simd;

using gibbs::Matrix;
namespace nn = gibbs::nn;
namespace test = gibbs::test;

namespace {

Matrix<float> matrix(std::size_t rows, std::size_t cols, std::vector<float> values) {
  Matrix<float> m(rows, cols);
  std::copy(values.begin(), values.end(), m.data());
  return m;
}

void check_values(const Matrix<float>& got, const std::vector<double>& expected, double tolerance = 1e-7) {
  BOOST_REQUIRE_EQUAL(got.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    BOOST_TEST(std::abs(got.values()[i] - expected[i]) <= tolerance * std::max(1.0, std::abs(expected[i])),
               "element " << i << ": " << got.values()[i] << ", expected " << expected[i]);
}

// The loss is computed in double from float inputs: differences are precise, and the
// tolerance covers the step's truncation error (h = 1e-4: near p = 0.05, the third
// derivative of log p is large).
constexpr double kTolerance = 1e-5;

}  // namespace

BOOST_AUTO_TEST_SUITE(losses)

BOOST_AUTO_TEST_CASE(mse_is_the_mean_over_all_elements) {
  const Matrix<float> x = matrix(2, 2, {1, 2, 3, 4}), t = matrix(2, 2, {1, 1, 1, 1});
  Matrix<float> g(2, 2);
  BOOST_TEST(nn::mse_loss(x, t, g) == 3.5);  // (0 + 1 + 4 + 9) / 4
  check_values(g, {0, 0.5, 1, 1.5});         // 2(x − t) / 4
  BOOST_TEST(nn::mse_loss(x, t) == 3.5);     // no gradient wanted
  Matrix<float> same = x;
  nn::mse_loss(same, t, same);  // the gradient may overwrite the prediction
  check_values(same, {0, 0.5, 1, 1.5});
  BOOST_CHECK_THROW(nn::mse_loss(x, Matrix<float>(2, 3)), gibbs::ShapeError);
  BOOST_CHECK_THROW(nn::mse_loss(x, t, Matrix<float>(1, 2)), gibbs::ShapeError);
}

// The vectorised rows against the loss written out in double: eight chains (chain j takes the
// columns ≡ j mod 8, in order), added in order, then the columns past the last eight, each
// row's sum times the scale, added in row order; bit for
// bit on every target, the gradient in place too, and with widths that leave every tail.
BOOST_AUTO_TEST_CASE(mse_has_the_bits_of_its_formula_on_every_target) {
  std::mt19937 rng(31);
  for (const auto& target : gibbs::simd::available_targets()) {
    gibbs::simd::ScopedTarget pin(target);
    for (const std::size_t cols : {1u, 7u, 8u, 13u, 784u}) {
      const Matrix<float> x = test::random_matrix(3, cols, rng), t = test::random_matrix(3, cols, rng);
      const double scale = 1.0 / static_cast<double>(3 * cols);
      double total = 0;
      std::vector<float> expected_grad;
      for (std::size_t r = 0; r < 3; ++r) {
        double chains[8] = {}, row = 0;
        std::size_t c = 0;
        for (; c + 8 <= cols; c += 8)
          for (std::size_t j = 0; j < 8; ++j) {
            const double d = static_cast<double>(x(r, c + j)) - t(r, c + j);
            chains[j] += d * d;
          }
        for (const double chain : chains) row += chain;
        for (; c < cols; ++c) {
          const double d = static_cast<double>(x(r, c)) - t(r, c);
          row += d * d;
        }
        total += row * scale;  // each row's share, added in row order
        for (c = 0; c < cols; ++c)
          expected_grad.push_back(static_cast<float>(2.0 * (static_cast<double>(x(r, c)) - t(r, c)) * scale));
      }
      Matrix<float> g(3, cols), in_place = x;
      const double loss = nn::mse_loss(x, t, g);
      BOOST_TEST(std::memcmp(&loss, &total, sizeof loss) == 0, target.name << " cols " << cols);
      nn::mse_loss(in_place, t, in_place);
      BOOST_TEST(std::memcmp(g.data(), expected_grad.data(), g.size() * sizeof(float)) == 0,
                 target.name << " " << cols);
      BOOST_TEST(std::memcmp(in_place.data(), expected_grad.data(), g.size() * sizeof(float)) == 0, target.name);
    }
  }
}

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_by_hand) {
  const Matrix<float> z = matrix(2, 2, {0, 0, 0, static_cast<float>(std::log(3.0))});
  const std::vector<std::int32_t> labels = {0, 1};
  Matrix<float> g(2, 2);
  // Row 0: log 2. Row 1: log(1 + 3) − log 3 = log(4/3). Mean over the batch.
  const double expected = (std::log(2.0) + std::log(4.0 / 3.0)) / 2;
  BOOST_TEST(std::abs(nn::softmax_cross_entropy(z, labels, g) - expected) <= 1e-7);
  check_values(g, {-0.25, 0.25, 0.125, -0.125});  // (softmax − onehot) / 2
}

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_is_stable_at_large_logits) {
  const Matrix<float> z = matrix(3, 2, {1e4f, -1e4f, -1e4f, 1e4f, 1e4f, 1e4f});
  const std::vector<std::int32_t> labels = {0, 0, 1};
  Matrix<float> g(3, 2);
  // Row 0: 0. Row 1: 2e4. Row 2: log 2.
  const double loss = nn::softmax_cross_entropy(z, labels, g);
  BOOST_TEST(std::abs(loss - (2e4 + std::log(2.0)) / 3) <= 1e-9 * 2e4);
  check_values(g, {0, 0, -1.0 / 3, 1.0 / 3, 1.0 / 6, -1.0 / 6});
}

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_checks_its_labels) {
  const Matrix<float> z(2, 3);
  Matrix<float> g(2, 3);
  const std::vector<std::int32_t> bad = {0, 3};
  try {
    nn::softmax_cross_entropy(z, bad, g);
    BOOST_ERROR("no error");
  } catch (const gibbs::ArgumentError& e) {
    BOOST_TEST(std::string(e.what()) == "softmax_cross_entropy: label 3 of row 1 is not a class in [0, 3)");
  }
  const std::vector<std::int32_t> negative = {-1, 0}, short_labels = {0};
  BOOST_CHECK_THROW(nn::softmax_cross_entropy(z, negative, g), gibbs::ArgumentError);
  BOOST_CHECK_THROW(nn::softmax_cross_entropy(z, short_labels, g), gibbs::ShapeError);
}

BOOST_AUTO_TEST_CASE(binary_cross_entropy_by_hand_with_pytorch_clamps) {
  const Matrix<float> x = matrix(1, 2, {0.5f, 0.25f}), t = matrix(1, 2, {1, 0});
  Matrix<float> g(1, 2);
  BOOST_TEST(std::abs(nn::binary_cross_entropy(x, t, g) - (std::log(2.0) - std::log(0.75)) / 2) <= 1e-12);
  check_values(g, {(0.5 - 1) / 0.25 / 2, 0.25 / (0.25 * 0.75) / 2});
  // log 0 is clamped at −100, and the gradient's denominator at 1e-12.
  const Matrix<float> edges = matrix(1, 4, {0, 1, 1, 0}), targets = matrix(1, 4, {1, 1, 0, 0});
  Matrix<float> ge(1, 4);
  BOOST_TEST(nn::binary_cross_entropy(edges, targets, ge) == 50.0);  // (100 + 0 + 100 + 0) / 4
  check_values(ge, {-1e12 / 4, 0, 1e12 / 4, 0});
  try {
    nn::binary_cross_entropy(matrix(1, 2, {0.5f, 1.5f}), t);
    BOOST_ERROR("no error");
  } catch (const gibbs::ArgumentError& e) {
    BOOST_TEST(std::string(e.what()) == "binary_cross_entropy: input (0, 1) = 1.5 is not a probability in [0, 1]");
  }
  BOOST_CHECK_THROW(nn::binary_cross_entropy(matrix(1, 2, {0.5f, NAN}), t), gibbs::ArgumentError);
}

BOOST_AUTO_TEST_CASE(binary_cross_entropy_with_logits_by_hand_and_at_large_logits) {
  const Matrix<float> z = matrix(1, 4, {0, 1e4f, -1e4f, 2}), t = matrix(1, 4, {1, 0, 0, 0.25f});
  Matrix<float> g(1, 4);
  // log 2, 1e4, 0, and softplus(2) − 2·0.25.
  const double expected = (std::log(2.0) + 1e4 + 0 + std::log1p(std::exp(2.0)) - 0.5) / 4;
  BOOST_TEST(std::abs(nn::binary_cross_entropy_with_logits(z, t, g) - expected) <= 1e-12 * 1e4);
  check_values(g, {(0.5 - 1) / 4, 1.0 / 4, 0, (1 / (1 + std::exp(-2.0)) - 0.25) / 4});
}

BOOST_AUTO_TEST_CASE(gradients_match_finite_differences) {
  std::mt19937 rng(61);
  Matrix<float> x = test::random_matrix(5, 7, rng, -3.0f, 3.0f);
  const Matrix<float> t = test::random_matrix(5, 7, rng), soft = test::random_matrix(5, 7, rng, 0.0f, 1.0f);
  Matrix<float> p = test::random_matrix(5, 7, rng, 0.05f, 0.95f);
  std::vector<std::int32_t> labels(5);
  for (auto& l : labels) l = static_cast<std::int32_t>(rng() % 7);
  Matrix<float> g(5, 7);

  nn::mse_loss(x, t, g);
  test::check_fd("mse", test::compare_fd(x.values(), g.values(), 1e-4, [&] { return nn::mse_loss(x, t); }), kTolerance);
  nn::softmax_cross_entropy(x, labels, g);
  test::check_fd("softmax cross-entropy",
                 test::compare_fd(x.values(), g.values(), 1e-4, [&] { return nn::softmax_cross_entropy(x, labels); }),
                 kTolerance);
  nn::binary_cross_entropy_with_logits(x, soft, g);
  test::check_fd(
      "bce with logits",
      test::compare_fd(x.values(), g.values(), 1e-4, [&] { return nn::binary_cross_entropy_with_logits(x, soft); }),
      kTolerance);
  nn::binary_cross_entropy(p, soft, g);
  test::check_fd("bce",
                 test::compare_fd(p.values(), g.values(), 1e-4, [&] { return nn::binary_cross_entropy(p, soft); }),
                 kTolerance);
  // And a gradient 1% wrong in one element fails.
  g.values()[17] += 0.01f * std::abs(g.values()[17]) + 1e-4f;
  BOOST_TEST(test::compare_fd(p.values(), g.values(), 1e-4, [&] { return nn::binary_cross_entropy(p, soft); }).worst >
             kTolerance);
}

// A minibatch's loss computed a block of rows at a time, as Network::train_chain's loss is: each
// block's gradient has the bits of the whole call's rows, and every row's share, added in row
// order, the bits of its value.
BOOST_AUTO_TEST_CASE(a_loss_in_blocks_of_rows_has_the_bits_of_the_whole_call) {
  std::mt19937 rng(62);
  const std::size_t rows = 12, cols = 37;
  const Matrix<float> x = test::random_matrix(rows, cols, rng, -3.0f, 3.0f), t = test::random_matrix(rows, cols, rng);
  const Matrix<float> p = test::random_matrix(rows, cols, rng, 0.0f, 1.0f),
                      soft = test::random_matrix(rows, cols, rng, 0.0f, 1.0f);
  std::vector<std::int32_t> labels(rows);
  for (auto& l : labels) l = static_cast<std::int32_t>(rng() % cols);
  const auto block = [](const Matrix<float>& m, std::size_t first, std::size_t last) {
    return m.view().block(first, 0, last - first, m.cols());
  };
  const auto check = [&](const char* name, const auto& whole_call, const auto& block_call) {
    Matrix<float> whole(rows, cols), blocked(rows, cols);
    const double value = whole_call(whole.view());
    std::vector<double> shares(rows);
    for (const auto& [first, last] : {std::pair<std::size_t, std::size_t>{0, 5}, {5, 7}, {7, 12}})
      block_call(first, last, blocked.view().block(first, 0, last - first, cols),
                 nn::LossBlock{.minibatch_rows = rows, .row_losses = std::span(shares).subspan(first, last - first)});
    double sum = 0;
    for (const double share : shares) sum += share;
    BOOST_TEST(sum == value, name);
    BOOST_TEST(std::memcmp(whole.data(), blocked.data(), whole.size() * sizeof(float)) == 0, name);
  };
  check(
      "mse", [&](gibbs::MatrixView<float> g) { return nn::mse_loss(x, t, g); },
      [&](std::size_t first, std::size_t last, gibbs::MatrixView<float> g, nn::LossBlock b) {
        nn::mse_loss(block(x, first, last), block(t, first, last), g, b);
      });
  check(
      "softmax cross-entropy", [&](gibbs::MatrixView<float> g) { return nn::softmax_cross_entropy(x, labels, g); },
      [&](std::size_t first, std::size_t last, gibbs::MatrixView<float> g, nn::LossBlock b) {
        nn::softmax_cross_entropy(block(x, first, last), std::span(labels).subspan(first, last - first), g, b);
      });
  check(
      "binary cross-entropy", [&](gibbs::MatrixView<float> g) { return nn::binary_cross_entropy(p, soft, g); },
      [&](std::size_t first, std::size_t last, gibbs::MatrixView<float> g, nn::LossBlock b) {
        nn::binary_cross_entropy(block(p, first, last), block(soft, first, last), g, b);
      });

  std::vector<double> shares(rows);
  Matrix<float> g(rows, cols);
  BOOST_CHECK_THROW(nn::mse_loss(x, t, g, {.minibatch_rows = rows, .row_losses = std::span(shares).first(11)}),
                    gibbs::ShapeError);
  BOOST_CHECK_EXCEPTION(nn::mse_loss(x, t, g, {.minibatch_rows = 11, .row_losses = shares}), gibbs::ArgumentError,
                        [](const gibbs::ArgumentError& e) {
                          return std::string(e.what()) == "mse_loss: a block of 12 rows of a minibatch of 11";
                        });
}

BOOST_AUTO_TEST_SUITE_END()
