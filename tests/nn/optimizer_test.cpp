// SGD, momentum and Adam: steps against PyTorch's formulas by hand, weight decay, state names,
// and save/restore giving the same bits as never stopping.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>
#include "tests/nn/support.h"
import gibbs.core;
import gibbs.simd;
import gibbs.nn;

using gibbs::ConstView;
using gibbs::Matrix;
namespace nn = gibbs::nn;
namespace test = gibbs::test;

namespace {

// One parameter of two values with a settable gradient.
struct Param {
  Matrix<float> value, grad;
  Param(float a, float b) : value(1, 2), grad(1, 2) { value(0, 0) = a, value(0, 1) = b; }
  std::vector<nn::Parameter> list() { return {{"p", {2}, value.view(), grad.view()}}; }
  void set_grad(float a, float b) { grad(0, 0) = a, grad(0, 1) = b; }
};

bool same_bits(ConstView<float> a, ConstView<float> b) {
  if (a.shape() != b.shape()) return false;
  for (std::size_t r = 0; r < a.rows(); ++r)
    if (std::memcmp(a.row(r).data(), b.row(r).data(), a.cols() * sizeof(float)) != 0) return false;
  return true;
}

std::string load_error(nn::Optimizer& o, const nn::OptimizerState& s) {
  try {
    o.load_state(s);
  } catch (const gibbs::Error& e) {
    return e.what();
  }
  return "(no error)";
}

// A small training run: minibatch k of a fixed dataset, softmax cross-entropy, one step.
struct Run {
  nn::Network net;
  std::unique_ptr<nn::Optimizer> optimizer;
  Matrix<float> data;
  std::vector<std::int32_t> labels;

  Run(bool adam, std::uint64_t seed)
      : net(nn::parse_arch("conv3x3:2:p1,relu,maxpool2,flatten,dense:6,tanh,dense:3", {1, 6, 6})) {
    net.initialize(seed);
    if (adam)
      optimizer =
          std::make_unique<nn::Adam>(net.parameters(), nn::AdamOptions{.learning_rate = 1e-2, .weight_decay = 1e-3});
    else
      optimizer = std::make_unique<nn::Sgd>(
          net.parameters(), nn::SgdOptions{.learning_rate = 0.05, .momentum = 0.9, .weight_decay = 1e-3});
    std::mt19937 rng(71);
    data = test::random_matrix(40, 36, rng);
    for (int i = 0; i < 40; ++i) labels.push_back(static_cast<std::int32_t>(rng() % 3));
  }

  void step(std::size_t k) {
    const ConstView<float> x(data.data() + (k % 5) * 8 * 36, 8, 36);
    net.zero_grad();
    const ConstView<float> y = net.forward(x);
    Matrix<float> dy(8, 3);
    nn::softmax_cross_entropy(y, std::span<const std::int32_t>(labels.data() + (k % 5) * 8, 8), dy);
    net.backward(x, dy);
    optimizer->step();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(optimizers)

BOOST_AUTO_TEST_CASE(sgd_by_hand) {
  Param p(1.0f, -2.0f);
  nn::Sgd sgd(p.list(), {.learning_rate = 0.1});
  p.set_grad(0.5f, 0.25f);
  sgd.step();
  BOOST_TEST(p.value(0, 0) == 0.95f);
  BOOST_TEST(p.value(0, 1) == -2.025f);
  sgd.step();
  BOOST_TEST(p.value(0, 0) == 1.0f - 0.1f * 0.5f - 0.1f * 0.5f);
  const nn::OptimizerState s = sgd.state();
  BOOST_TEST(s.tensors.empty());
  BOOST_TEST(s.counters.at("step") == 2u);
}

BOOST_AUTO_TEST_CASE(momentum_by_hand_as_pytorch) {
  Param p(1.0f, 0.0f);
  nn::Sgd sgd(p.list(), {.learning_rate = 0.1, .momentum = 0.9});
  p.set_grad(0.5f, -1.0f);
  // v = 0.9·v + g; p −= 0.1·v: v = 0.5, 0.95, 1.355; p = 0.95, 0.855, 0.7195.
  const double expected[3] = {0.95, 0.855, 0.7195};
  for (double e : expected) {
    sgd.step();
    BOOST_TEST(std::abs(p.value(0, 0) - e) <= 1e-6);
  }
  const nn::OptimizerState s = sgd.state();
  BOOST_REQUIRE(s.tensors.contains("momentum_buffer/p"));
  BOOST_TEST(std::abs(s.tensors.at("momentum_buffer/p")(0, 0) - 1.355) <= 1e-6);
  BOOST_TEST(std::abs(s.tensors.at("momentum_buffer/p")(0, 1) - -2.71) <= 1e-6);
  BOOST_TEST(s.counters.at("step") == 3u);
}

BOOST_AUTO_TEST_CASE(weight_decay_is_added_to_the_gradient) {
  Param p(1.0f, -2.0f);
  nn::Sgd sgd(p.list(), {.learning_rate = 0.1, .weight_decay = 0.1});
  p.set_grad(0.5f, 0.0f);
  sgd.step();  // g = 0.5 + 0.1·1 = 0.6 and 0 + 0.1·(−2) = −0.2
  BOOST_TEST(std::abs(p.value(0, 0) - 0.94) <= 1e-7);
  BOOST_TEST(std::abs(p.value(0, 1) - -1.98) <= 1e-7);
  BOOST_TEST(p.grad(0, 0) == 0.5f);  // the stored gradient is left alone
}

BOOST_AUTO_TEST_CASE(adam_by_hand_as_pytorch) {
  // Step 1: m̂ = g and v̂ = g², so p moves by lr·g/(|g| + ε) ≈ lr.
  Param one(1.0f, -1.0f);
  nn::Adam first(one.list(), {});
  one.set_grad(0.5f, -4.0f);
  first.step();
  BOOST_TEST(one.value(0, 0) == 0.999f);
  BOOST_TEST(one.value(0, 1) == -0.999f);

  // Three steps with changing gradients and weight decay, against the formula in double.
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.05;
  Param p(0.3f, -0.7f);
  nn::Adam adam(p.list(), {.learning_rate = lr, .weight_decay = wd});
  const float grads[3][2] = {{0.5f, 0.1f}, {-0.3f, 0.2f}, {2.0f, -0.05f}};
  double value[2] = {0.3, -0.7}, m[2] = {0, 0}, v[2] = {0, 0};
  for (int t = 1; t <= 3; ++t) {
    p.set_grad(grads[t - 1][0], grads[t - 1][1]);
    adam.step();
    for (int j = 0; j < 2; ++j) {
      const double g = grads[t - 1][j] + wd * value[j];
      m[j] = b1 * m[j] + (1 - b1) * g;
      v[j] = b2 * v[j] + (1 - b2) * g * g;
      const double m_hat = m[j] / (1 - std::pow(b1, t)), v_hat = v[j] / (1 - std::pow(b2, t));
      value[j] -= lr * m_hat / (std::sqrt(v_hat) + eps);
      BOOST_TEST(std::abs(p.value(0, j) - value[j]) <= 1e-6,
                 "step " << t << " element " << j << ": " << p.value(0, j) << ", expected " << value[j]);
    }
  }
  const nn::OptimizerState s = adam.state();
  BOOST_TEST(std::abs(s.tensors.at("exp_avg/p")(0, 0) - m[0]) <= 1e-7);
  BOOST_TEST(std::abs(s.tensors.at("exp_avg_sq/p")(0, 1) - v[1]) <= 1e-9);
  BOOST_TEST(s.counters.at("step") == 3u);
  BOOST_TEST(adam.learning_rate() == 0.01);
  adam.set_learning_rate(0.5);
  BOOST_TEST(adam.learning_rate() == 0.5);
}

BOOST_AUTO_TEST_CASE(state_is_named_after_the_parameters) {
  nn::Network net(nn::parse_layers("4,3,2", "relu", nn::flat_shape(4)));
  nn::Adam adam(net.parameters(), {});
  std::vector<std::string> names;
  for (const auto& [name, tensor] : adam.state().tensors) names.push_back(name);
  BOOST_TEST((names == std::vector<std::string>{"exp_avg/0.bias", "exp_avg/0.weight", "exp_avg/2.bias",
                                                "exp_avg/2.weight", "exp_avg_sq/0.bias", "exp_avg_sq/0.weight",
                                                "exp_avg_sq/2.bias", "exp_avg_sq/2.weight"}));
  BOOST_TEST((adam.state().tensors.at("exp_avg/0.weight").shape() == gibbs::Shape{4, 3}));
  nn::Sgd momentum(net.parameters(), {.momentum = 0.5});
  BOOST_TEST(momentum.state().tensors.size() == 4u);
  BOOST_TEST(momentum.state().tensors.contains("momentum_buffer/2.bias"));
}

BOOST_AUTO_TEST_CASE(restoring_the_state_continues_with_the_same_bits) {
  for (const bool adam : {true, false}) {
    Run straight(adam, 5);
    for (std::size_t k = 0; k < 7; ++k) straight.step(k);

    Run first(adam, 5);
    for (std::size_t k = 0; k < 3; ++k) first.step(k);
    const nn::OptimizerState saved = first.optimizer->state();
    std::vector<Matrix<float>> params;
    for (const nn::Parameter& p : first.net.parameters()) params.emplace_back(ConstView<float>(p.value));

    Run resumed(adam, 99);  // other initial values, replaced below
    const auto targets = resumed.net.parameters();
    for (std::size_t i = 0; i < targets.size(); ++i)
      std::memcpy(targets[i].value.data(), params[i].data(), params[i].size() * sizeof(float));
    resumed.optimizer->load_state(saved);
    for (std::size_t k = 3; k < 7; ++k) resumed.step(k);

    const auto a = straight.net.parameters(), b = resumed.net.parameters();
    for (std::size_t i = 0; i < a.size(); ++i)
      BOOST_TEST(same_bits(a[i].value, b[i].value), (adam ? "adam " : "momentum ") << a[i].name);
    BOOST_TEST(straight.optimizer->state().counters.at("step") == 7u);
    BOOST_TEST(resumed.optimizer->state().counters.at("step") == 7u);
    // Without the state, the run differs: the test can tell.
    Run forgetful(adam, 99);
    const auto f = forgetful.net.parameters();
    for (std::size_t i = 0; i < f.size(); ++i)
      std::memcpy(f[i].value.data(), params[i].data(), params[i].size() * sizeof(float));
    for (std::size_t k = 3; k < 7; ++k) forgetful.step(k);
    BOOST_TEST(!same_bits(a[0].value, forgetful.net.parameters()[0].value));
  }
}

BOOST_AUTO_TEST_CASE(a_state_that_does_not_fit_is_refused) {
  nn::Network net(nn::parse_layers("4,3,2", "relu", nn::flat_shape(4)));
  nn::Adam adam(net.parameters(), {});
  const nn::OptimizerState good = adam.state();

  nn::OptimizerState missing = good;
  missing.tensors.erase("exp_avg_sq/2.bias");
  BOOST_TEST(load_error(adam, missing) == "adam state: tensor exp_avg_sq/2.bias is missing");
  nn::OptimizerState shape = good;
  shape.tensors["exp_avg/0.weight"] = Matrix<float>(3, 4);
  BOOST_TEST(load_error(adam, shape) == "adam state: tensor exp_avg/0.weight: shape [3, 4], expected [4, 3]");
  nn::OptimizerState extra = good;
  extra.tensors["momentum_buffer/0.weight"] = Matrix<float>(4, 3);
  BOOST_TEST(load_error(adam, extra) == "adam state: tensor momentum_buffer/0.weight is not one of its own");
  nn::OptimizerState no_step = good;
  no_step.counters.clear();
  BOOST_TEST(load_error(adam, no_step) == "adam state: counter step is missing");
  nn::OptimizerState other_counter = good;
  other_counter.counters["epoch"] = 3;
  BOOST_TEST(load_error(adam, other_counter) == "adam state: counter epoch is not one of its own");
  nn::Sgd sgd(net.parameters(), {.momentum = 0.9});
  BOOST_TEST(load_error(sgd, good) == "sgd state: tensor momentum_buffer/0.weight is missing");
  BOOST_TEST(load_error(adam, good) == "(no error)");
}

BOOST_AUTO_TEST_CASE(steps_give_the_same_bits_for_any_thread_count) {
  std::mt19937 rng(72);
  const Matrix<float> start = test::random_matrix(300, 400, rng), grad = test::random_matrix(300, 400, rng);
  std::vector<Matrix<float>> results;
  for (const int threads : {1, 2, 3}) {
    gibbs::set_thread_count(threads);
    Matrix<float> value = start, g = grad;
    nn::Adam adam({{"w", {300, 400}, value.view(), g.view()}}, {.weight_decay = 0.01});
    for (int i = 0; i < 3; ++i) adam.step();
    results.push_back(value);
  }
  gibbs::set_thread_count(0);
  BOOST_TEST(same_bits(results[1], results[0]));
  BOOST_TEST(same_bits(results[2], results[0]));
}

// Parameters that for_element_groups cuts across their boundaries at 2 and 3 threads; a flat
// gradient (step(span)) gives the bits of the grads.
BOOST_AUTO_TEST_CASE(steps_from_a_flat_gradient_give_the_bits_of_the_grads_for_any_thread_count) {
  std::mt19937 rng(73);
  const std::vector<gibbs::Shape> shapes{{300, 400}, {1, 7}, {50, 333}};
  std::vector<Matrix<float>> starts, grads;
  std::vector<float> flat;
  for (const gibbs::Shape& s : shapes) {
    starts.push_back(test::random_matrix(s.rows, s.cols, rng));
    grads.push_back(test::random_matrix(s.rows, s.cols, rng));
    flat.insert(flat.end(), grads.back().values().begin(), grads.back().values().end());
  }
  for (const bool adam : {true, false}) {
    std::vector<std::vector<Matrix<float>>> results;
    for (const int threads : {1, 2, 3})
      for (const bool from_flat : {false, true}) {
        gibbs::set_thread_count(threads);
        std::vector<Matrix<float>> values = starts, own_grads = grads;
        std::vector<nn::Parameter> params;
        for (std::size_t k = 0; k < shapes.size(); ++k)
          params.push_back(
              {"p" + std::to_string(k), {shapes[k].rows, shapes[k].cols}, values[k].view(), own_grads[k].view()});
        std::unique_ptr<nn::Optimizer> o;
        if (adam)
          o = std::make_unique<nn::Adam>(params, nn::AdamOptions{.weight_decay = 0.01});
        else
          o = std::make_unique<nn::Sgd>(params, nn::SgdOptions{.momentum = 0.9, .weight_decay = 0.01});
        if (from_flat) std::ranges::fill(own_grads[1].values(), 1e30f);  // must not be read
        for (int i = 0; i < 3; ++i) from_flat ? o->step(flat) : o->step();
        results.push_back(values);
      }
    gibbs::set_thread_count(0);
    for (std::size_t r = 1; r < results.size(); ++r)
      for (std::size_t k = 0; k < shapes.size(); ++k)
        BOOST_TEST(same_bits(results[r][k], results[0][k]), (adam ? "adam" : "sgd") << " run " << r << " p" << k);
  }
  Matrix<float> value(1, 2), grad(1, 2);
  nn::Adam adam({{"w", {2}, value.view(), grad.view()}}, {});
  const std::vector<float> three(3);
  BOOST_CHECK_EXCEPTION(adam.step(three), gibbs::ArgumentError, [](const gibbs::ArgumentError& e) {
    return std::string(e.what()) == "adam: a gradient of 3 floats for parameters of 2";
  });
}

// The update kernels against the documented float formulas (each operation rounded, none
// fused), on every compiled Highway target and with lengths that leave every kind of tail.
BOOST_AUTO_TEST_CASE(updates_match_the_float_formulas_bit_for_bit_on_every_target) {
  std::mt19937 rng(73);
  for (const auto& target : gibbs::simd::available_targets()) {
    gibbs::simd::ScopedTarget pin(target);
    for (const std::size_t n : {1u, 7u, 16u, 37u, 1000u}) {
      const Matrix<float> start = test::random_matrix(1, n, rng), grad = test::random_matrix(1, n, rng);
      // Adam, three steps with weight decay.
      Matrix<float> value = start, g = grad;
      nn::Adam adam({{"w", {n}, value.view(), g.view()}}, {.learning_rate = 0.01, .weight_decay = 0.02});
      std::vector<float> p(start.data(), start.data() + n), m(n), v(n);
      for (int t = 1; t <= 3; ++t) {
        adam.step();
        const auto beta1 = 0.9f, beta2 = 0.999f, rest1 = static_cast<float>(1.0 - 0.9),
                   rest2 = static_cast<float>(1.0 - 0.999), decay = 0.02f, eps = 1e-8f;
        const auto step = static_cast<float>(-(0.01 / (1.0 - std::pow(0.9, t))));
        const auto inv_root2 = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(0.999, t)));
        for (std::size_t i = 0; i < n; ++i) {
          const float gi = grad(0, i) + decay * p[i];
          m[i] = m[i] * beta1 + rest1 * gi;
          v[i] = v[i] * beta2 + rest2 * gi * gi;
          p[i] = p[i] + step * m[i] / (std::sqrt(v[i]) * inv_root2 + eps);
        }
      }
      std::size_t bad = 0;
      for (std::size_t i = 0; i < n; ++i) bad += value(0, i) != p[i];
      BOOST_TEST(bad == 0u, target.name << " adam n=" << n << ": " << bad << " differ");
      // SGD with momentum and weight decay, three steps.
      Matrix<float> value2 = start, g2 = grad;
      nn::Sgd sgd({{"w", {n}, value2.view(), g2.view()}},
                  {.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 0.02});
      std::vector<float> q(start.data(), start.data() + n), vel(n);
      for (int t = 1; t <= 3; ++t) {
        sgd.step();
        for (std::size_t i = 0; i < n; ++i) {
          const float gi = grad(0, i) + 0.02f * q[i];
          vel[i] = vel[i] * 0.9f + gi;
          q[i] = q[i] + static_cast<float>(-0.1) * vel[i];
        }
      }
      bad = 0;
      for (std::size_t i = 0; i < n; ++i) bad += value2(0, i) != q[i];
      BOOST_TEST(bad == 0u, target.name << " sgd n=" << n << ": " << bad << " differ");
    }
  }
}

BOOST_AUTO_TEST_CASE(parameters_must_be_distinct_and_contiguous) {
  Matrix<float> a(2, 3), ga(2, 3), wide(2, 4);
  BOOST_CHECK_THROW(nn::Sgd({{"a", {2, 3}, a.view(), ga.view()}, {"a", {2, 3}, a.view(), ga.view()}}, {}),
                    gibbs::ArgumentError);
  BOOST_CHECK_THROW(nn::Adam({{"a", {2, 3}, a.view(), wide.view().block(0, 0, 2, 3)}}, {}), gibbs::ArgumentError);
  BOOST_CHECK_THROW(nn::Adam({{"a", {2, 3}, a.view(), wide.view()}}, {}), gibbs::ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
