// gibbs.sampler: a CD-k / PCD-k step against a double-precision reference that replays the
// same random draws; thread-count invariance; training raises the exact (enumerated)
// log-likelihood of a tiny RBM; an RBM trained on AND triples completes the third bit.
#define BOOST_TEST_MODULE contrastive
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "tests/sampler/reference.h"
import gibbs.core;
import gibbs.random;
import gibbs.sampler;

using gibbs::Matrix;
using gibbs::sampler::ContrastiveDivergence;
using gibbs::sampler::ContrastiveSettings;
using gibbs::sampler::Rbm;
using gibbs::sampler::VisibleUnits;
namespace ref = gibbs::test;
namespace rnd = gibbs::random;
using gibbs::random::streams::rbm_draw;
using gibbs::random::streams::RbmDraw;

namespace {

Rbm random_rbm(std::size_t visible, std::size_t hidden, VisibleUnits units) {
  Rbm rbm(visible, hidden, units);
  rnd::normal({3, 1}, 0, rbm.weights(), 0.0f, 0.5f);
  rnd::normal({3, 2}, 0, rbm.visible_bias(), 0.0f, 0.5f);
  rnd::normal({3, 3}, 0, rbm.hidden_bias(), 0.0f, 0.5f);
  return rbm;
}

using Rows = std::vector<std::vector<double>>;

// The same uniform (or normal) draw the engine makes at a position of a stream.
double uniform_at(rnd::Stream s, std::uint64_t position) {
  float u[1];
  rnd::uniform(s, position, u);
  return u[0];
}
double normal_at(rnd::Stream s, std::uint64_t position) {
  float x[2];
  rnd::normal(s, position & ~std::uint64_t{1}, x);  // pairs start at even positions
  return x[position & 1];
}

// The parameters as doubles, updated by the formulas of ContrastiveDivergence's comment.
struct Reference {
  Rows w;
  std::vector<double> b, c, vw_velocity_dummy;
  Rows w_velocity;
  std::vector<double> b_velocity, c_velocity, q;
  Rows chain;  // PCD hidden state

  explicit Reference(const Rbm& rbm, const ContrastiveSettings& s, std::size_t chains)
      : w(rbm.visible(), std::vector<double>(rbm.hidden())),
        b(rbm.visible_bias().begin(), rbm.visible_bias().end()),
        c(rbm.hidden_bias().begin(), rbm.hidden_bias().end()),
        w_velocity(rbm.visible(), std::vector<double>(rbm.hidden())),
        b_velocity(rbm.visible()),
        c_velocity(rbm.hidden()),
        q(rbm.hidden(), s.sparsity_target),
        chain(chains, std::vector<double>(rbm.hidden())) {
    for (std::size_t i = 0; i < rbm.visible(); ++i)
      for (std::size_t j = 0; j < rbm.hidden(); ++j) w[i][j] = rbm.weights()(i, j);
  }

  double hidden_p(const std::vector<double>& v, std::size_t j) const {
    double a = c[j];
    for (std::size_t i = 0; i < v.size(); ++i) a += v[i] * w[i][j];
    return ref::sigmoid(a);
  }
  double visible_mean(const std::vector<double>& h, std::size_t i, VisibleUnits units) const {
    double a = b[i];
    for (std::size_t j = 0; j < h.size(); ++j) a += h[j] * w[i][j];
    return units == VisibleUnits::bernoulli ? ref::sigmoid(a) : a;
  }

  // Returns CD's reconstruction error: the mean of (v0 − E[v | h] of the first step)², or NaN
  // for PCD.
  double step(const Matrix<float>& data, const ContrastiveSettings& s, VisibleUnits units, double lr, double momentum,
              std::uint64_t seed, std::uint64_t step_index) {
    const std::size_t batch = data.rows(), nv = w.size(), nh = c.size();
    const std::size_t chains = s.persistent ? chain.size() : batch;
    const rnd::Stream hs = rbm_draw(seed, RbmDraw::hidden, step_index);
    const rnd::Stream vs = rbm_draw(seed, RbmDraw::visible, step_index);
    Rows v0(batch, std::vector<double>(nv)), h0(batch, std::vector<double>(nh));
    for (std::size_t r = 0; r < batch; ++r)
      for (std::size_t i = 0; i < nv; ++i) v0[r][i] = data(r, i);
    for (std::size_t r = 0; r < batch; ++r)
      for (std::size_t j = 0; j < nh; ++j) h0[r][j] = hidden_p(v0[r], j);
    Rows h = s.persistent ? chain : Rows(batch, std::vector<double>(nh));
    if (!s.persistent)
      for (std::size_t r = 0; r < batch; ++r)
        for (std::size_t j = 0; j < nh; ++j) h[r][j] = uniform_at(hs, r * nh + j) < h0[r][j] ? 1 : 0;
    Rows vk(chains, std::vector<double>(nv)), hk(chains, std::vector<double>(nh));
    double squares = 0;
    for (std::size_t t = 0; t < s.k; ++t) {
      for (std::size_t r = 0; r < chains; ++r)
        for (std::size_t i = 0; i < nv; ++i) {
          const double mean = visible_mean(h[r], i, units);
          if (t == 0 && !s.persistent) squares += (v0[r][i] - mean) * (v0[r][i] - mean);
          const std::uint64_t position = t * chains * nv + r * nv + i;
          vk[r][i] = s.visible_means                    ? mean
                     : units == VisibleUnits::bernoulli ? (uniform_at(vs, position) < mean ? 1 : 0)
                                                        : mean + normal_at(vs, position);
        }
      for (std::size_t r = 0; r < chains; ++r)
        for (std::size_t j = 0; j < nh; ++j) {
          hk[r][j] = hidden_p(vk[r], j);
          if (t + 1 < s.k || s.persistent)
            h[r][j] = uniform_at(hs, (t + 1) * chains * nh + r * nh + j) < hk[r][j] ? 1 : 0;
        }
    }
    if (s.persistent) chain = h;
    std::vector<double> penalty(nh);
    if (s.sparsity_target > 0)
      for (std::size_t j = 0; j < nh; ++j) {
        double mean = 0;
        for (std::size_t r = 0; r < batch; ++r) mean += h0[r][j] / batch;
        q[j] = 0.9 * q[j] + 0.1 * mean;
        penalty[j] = s.sparsity_cost * (s.sparsity_target - q[j]);
      }
    const double nb = static_cast<double>(batch), nc = static_cast<double>(chains);
    for (std::size_t i = 0; i < nv; ++i)
      for (std::size_t j = 0; j < nh; ++j) {
        double grad = 0;
        for (std::size_t r = 0; r < batch; ++r) grad += v0[r][i] * (h0[r][j] + penalty[j]) / nb;
        for (std::size_t r = 0; r < chains; ++r) grad -= vk[r][i] * hk[r][j] / nc;
        const double delta = lr * (grad - s.weight_decay * w[i][j]);
        if (s.momentum) {
          w_velocity[i][j] = momentum * w_velocity[i][j] + delta;
          w[i][j] += w_velocity[i][j];
        } else {
          w[i][j] += delta;
        }
      }
    for (std::size_t i = 0; i < nv && s.visible_bias; ++i) {
      double grad = 0;
      for (std::size_t r = 0; r < batch; ++r) grad += v0[r][i] / nb;
      for (std::size_t r = 0; r < chains; ++r) grad -= vk[r][i] / nc;
      b_velocity[i] = (s.momentum ? momentum * b_velocity[i] : 0) + lr * grad;
      b[i] += b_velocity[i];
    }
    for (std::size_t j = 0; j < nh; ++j) {
      double grad = 0;
      for (std::size_t r = 0; r < batch; ++r) grad += (h0[r][j] + penalty[j]) / nb;
      for (std::size_t r = 0; r < chains; ++r) grad -= hk[r][j] / nc;
      c_velocity[j] = (s.momentum ? momentum * c_velocity[j] : 0) + lr * grad;
      c[j] += c_velocity[j];
    }
    return s.persistent ? std::numeric_limits<double>::quiet_NaN() : squares / (nb * static_cast<double>(nv));
  }

  double max_difference(const Rbm& rbm) const {
    double worst = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
      worst = std::max(worst, std::abs(b[i] - rbm.visible_bias()[i]));
      for (std::size_t j = 0; j < c.size(); ++j) worst = std::max(worst, std::abs(w[i][j] - rbm.weights()(i, j)));
    }
    for (std::size_t j = 0; j < c.size(); ++j) worst = std::max(worst, std::abs(c[j] - rbm.hidden_bias()[j]));
    return worst;
  }
};

Matrix<float> batch_rows(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  Matrix<float> m(rows, cols);
  rnd::uniform({seed, 77}, 0, m.view());
  return m;
}

void check_against_reference(VisibleUnits units, const ContrastiveSettings& settings, std::size_t batch) {
  Rbm rbm = random_rbm(11, 7, units);
  ContrastiveDivergence cd(rbm, batch, settings);
  Reference reference(rbm, settings, cd.settings().chains);
  const double momentum = settings.momentum ? 0.5 : 0.0;
  for (std::uint64_t step = 0; step < 4; ++step) {
    // The last step's batch is short, as an epoch's last minibatch can be.
    const Matrix<float> data = batch_rows(step == 3 ? batch - 1 : batch, 11, step);
    const double error = cd.step(rbm, data, 0.1f, static_cast<float>(momentum), 42, step);
    const double expected = reference.step(data, cd.settings(), units, 0.1, momentum, 42, step);
    if (settings.persistent)
      BOOST_TEST(std::isnan(error));
    else
      BOOST_TEST(error == expected, boost::test_tools::tolerance(1e-5));
    BOOST_TEST(reference.max_difference(rbm) < 2e-5,
               "step " << step << ": differs by " << reference.max_difference(rbm));
  }
}

}  // namespace

// (2B + (2k + 1)·C)·v·h / B, counted by hand: B rows' hidden means, k steps of C chains, the
// weight gradient over B + C rows.
BOOST_AUTO_TEST_CASE(multiply_adds_per_row_count_the_step_s_gemms) {
  const Rbm rbm(6, 4, VisibleUnits::bernoulli);
  BOOST_TEST(ContrastiveDivergence(rbm, 10, {.k = 1}).multiply_adds_per_row() == 5.0 * 24);
  BOOST_TEST(ContrastiveDivergence(rbm, 10, {.k = 2}).multiply_adds_per_row() == 7.0 * 24);
  // PCD-2 with 5 chains for 10 rows: (20 + 25)·24 / 10.
  BOOST_TEST(ContrastiveDivergence(rbm, 10, {.k = 2, .persistent = true, .chains = 5}).multiply_adds_per_row() ==
             108.0);
}

BOOST_AUTO_TEST_CASE(cd1_step_matches_reference) {
  check_against_reference(VisibleUnits::bernoulli, {.k = 1}, 5);
  check_against_reference(VisibleUnits::gaussian, {.k = 1}, 5);
}

BOOST_AUTO_TEST_CASE(cdk_with_momentum_decay_and_sparsity_matches_reference) {
  check_against_reference(
      VisibleUnits::bernoulli,
      {.k = 3, .momentum = true, .weight_decay = 0.01f, .sparsity_target = 0.1f, .sparsity_cost = 0.5f}, 6);
  check_against_reference(VisibleUnits::bernoulli, {.k = 2, .weight_decay = 0.02f, .visible_bias = false}, 4);
}

BOOST_AUTO_TEST_CASE(a_negative_phase_from_the_visible_means_matches_reference) {
  check_against_reference(VisibleUnits::bernoulli, {.k = 1, .visible_means = true}, 5);
  check_against_reference(VisibleUnits::gaussian, {.k = 2, .visible_means = true}, 5);
  check_against_reference(VisibleUnits::bernoulli, {.k = 2, .persistent = true, .visible_means = true}, 4);
}

BOOST_AUTO_TEST_CASE(pcd_matches_reference) {
  check_against_reference(VisibleUnits::bernoulli, {.k = 3, .persistent = true}, 5);
  check_against_reference(VisibleUnits::bernoulli, {.k = 1, .persistent = true, .chains = 3, .momentum = true}, 5);
}

BOOST_AUTO_TEST_CASE(hand_computed_cd1_step) {
  // One visible and one hidden unit, all parameters zero, v0 = 1, lr = 1: h0 = σ(0) = ½. The
  // chain's draws are replayed: h ~ Bernoulli(½), then v1 ~ Bernoulli(σ(h·0 + 0) = ½), and
  // h1 = σ(0 + v1·0) = ½. So ΔW = 1·½ − v1·½, Δb = 1 − v1, Δc = ½ − ½ = 0.
  Rbm rbm(1, 1, VisibleUnits::bernoulli);
  ContrastiveDivergence cd(rbm, 1, {.k = 1});
  const Matrix<float> v0(1, 1, 1.0f);
  cd.step(rbm, v0, 1.0f, 0.0f, 9, 0);
  const double v1 = uniform_at(rbm_draw(9, RbmDraw::visible, 0), 0) < 0.5 ? 1.0 : 0.0;
  BOOST_TEST(rbm.weights()(0, 0) == 0.5 - 0.5 * v1);
  BOOST_TEST(rbm.visible_bias()[0] == 1.0 - v1);
  BOOST_TEST(rbm.hidden_bias()[0] == 0.0f);
}

BOOST_AUTO_TEST_CASE(any_thread_count_gives_the_same_parameters) {
  // 64 chains: on 2 and 3 threads each thread takes a group of them (at least 8 a thread) through
  // all k steps, CD-1's too. A group's visible products read Wᵀ: by W in place, 21 rows of 300
  // hidden units would take the dot-product kernel, with other bits. 40 chains of CD-1 read W in
  // place, in one group. CD-k's error compares the data with its first step's means.
  struct Case {
    ContrastiveSettings settings;
    std::size_t batch;
  };
  const Case cases[] = {{{.k = 2, .persistent = true, .momentum = true, .weight_decay = 0.001f}, 64},
                        {{.k = 3}, 64},
                        {{.k = 1}, 64},
                        {{.k = 1}, 40}};
  for (const auto& [s, batch] : cases) {
    std::vector<std::vector<float>> results;
    std::vector<double> errors;
    for (int threads : {1, 2, 3}) {
      gibbs::set_thread_count(threads);
      Rbm rbm = random_rbm(130, 300, VisibleUnits::bernoulli);
      ContrastiveDivergence cd(rbm, batch, s);
      for (std::uint64_t step = 0; step < 3; ++step)
        errors.push_back(cd.step(rbm, batch_rows(batch, 130, step), 0.05f, s.momentum ? 0.5f : 0.0f, 1, step));
      std::vector<float> all;
      for (std::size_t i = 0; i < 130; ++i)
        all.insert(all.end(), rbm.weights().row(i).begin(), rbm.weights().row(i).end());
      all.insert(all.end(), rbm.hidden_bias().begin(), rbm.hidden_bias().end());
      results.push_back(all);
    }
    gibbs::set_thread_count(0);
    BOOST_TEST(results[0] == results[1], boost::test_tools::per_element());
    BOOST_TEST(results[0] == results[2], boost::test_tools::per_element());
    for (std::size_t step = 0; step < 3; ++step) {
      BOOST_TEST(s.persistent == std::isnan(errors[step]));  // PCD reports no error of its own
      if (s.persistent) continue;
      BOOST_TEST(errors[step] == errors[3 + step]);
      BOOST_TEST(errors[step] == errors[6 + step]);
    }
  }
}

BOOST_AUTO_TEST_CASE(training_raises_the_exact_log_likelihood) {
  // Six visible units; the data are four patterns. The log-likelihood is exact: Z sums all 64
  // visible states, each free energy all 16 hidden states.
  const std::vector<std::vector<float>> patterns = {
      {1, 1, 1, 0, 0, 0}, {0, 0, 0, 1, 1, 1}, {1, 0, 1, 0, 1, 0}, {1, 1, 0, 0, 1, 1}};
  Matrix<float> data(4, 6);
  for (std::size_t r = 0; r < 4; ++r) std::copy(patterns[r].begin(), patterns[r].end(), data.row(r).begin());
  Rbm rbm(6, 4, VisibleUnits::bernoulli);
  rnd::normal({1, 0}, 0, rbm.weights(), 0.0f, 0.01f);
  const auto mean_log_likelihood = [&] {
    double total = 0;
    for (std::size_t r = 0; r < 4; ++r) total += ref::exact_log_likelihood(rbm, data.row(r));
    return total / 4;
  };
  const double before = mean_log_likelihood();  // about log(1/64) = −4.16
  ContrastiveDivergence cd(rbm, 4, {.k = 1});
  double previous = before;
  for (std::uint64_t step = 0; step < 3000; ++step) {
    cd.step(rbm, data, 0.1f, 0.0f, 5, step);
    if ((step + 1) % 1000 == 0) {
      const double now = mean_log_likelihood();
      BOOST_TEST_MESSAGE("after " << step + 1 << " steps: " << now);
      BOOST_TEST(now > previous);
      previous = now;
    }
  }
  BOOST_TEST(before < -4.0);
  BOOST_TEST(previous > -2.0);  // log(1/4) = −1.39 is the best possible
}

BOOST_AUTO_TEST_CASE(and_triples_are_completed) {
  // Rows (x1, x2, x1 AND x2); the trained RBM, with x1 and x2 clamped, samples the third bit.
  Matrix<float> data(4, 3);
  for (std::size_t r = 0; r < 4; ++r) {
    data(r, 0) = static_cast<float>(r >> 1);
    data(r, 1) = static_cast<float>(r & 1);
    data(r, 2) = data(r, 0) * data(r, 1);
  }
  Rbm rbm(3, 8, VisibleUnits::bernoulli);
  rnd::normal({2, 0}, 0, rbm.weights(), 0.0f, 0.1f);
  ContrastiveDivergence cd(rbm, 4, {.k = 5, .persistent = true, .chains = 20});
  for (std::uint64_t step = 0; step < 6000; ++step) cd.step(rbm, data, 0.1f, 0.0f, 3, step);
  Matrix<float> chains(400, 3);
  rnd::uniform({4, 0}, 0, chains.view());
  for (std::size_t r = 0; r < 400; ++r) {
    chains(r, 0) = data(r % 4, 0);
    chains(r, 1) = data(r % 4, 1);
    chains(r, 2) = chains(r, 2) < 0.5f ? 0.0f : 1.0f;  // the third bit starts at random
  }
  const std::vector<std::size_t> clamped = {0, 1};
  gibbs::sampler::run_chains(rbm, chains, clamped, 8, 50, 0);
  std::size_t right = 0;
  for (std::size_t r = 0; r < 400; ++r) right += chains(r, 2) == data(r % 4, 2);
  BOOST_TEST_MESSAGE("AND completed in " << right << " of 400 chains");
  BOOST_TEST(right > 380u);
}
