// gibbs.sampler: conditionals, free energy, pseudo-likelihood and scores against naive
// double-precision references and brute-force enumeration; chains with clamped units.
#define BOOST_TEST_MODULE sampler
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tests/sampler/reference.h"
import gibbs.core;
import gibbs.random;
import gibbs.sampler;

using gibbs::Matrix;
using gibbs::sampler::Rbm;
using gibbs::sampler::VisibleUnits;
namespace ref = gibbs::test;
namespace rnd = gibbs::random;

namespace {

// Weights and biases drawn N(0, scale²) from a fixed stream.
Rbm random_rbm(std::size_t visible, std::size_t hidden, VisibleUnits units, float scale = 0.7f,
               std::uint64_t seed = 5) {
  Rbm rbm(visible, hidden, units);
  rnd::normal({seed, 1}, 0, rbm.weights(), 0.0f, scale);
  rnd::normal({seed, 2}, 0, rbm.visible_bias(), 0.0f, scale);
  rnd::normal({seed, 3}, 0, rbm.hidden_bias(), 0.0f, scale);
  return rbm;
}

Matrix<float> random_rows(std::size_t rows, std::size_t cols, std::uint64_t seed, bool binary) {
  Matrix<float> m(rows, cols);
  rnd::uniform({seed, 9}, 0, m.view());
  if (binary)
    for (float& x : m.values()) x = x < 0.5f ? 0.0f : 1.0f;
  return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(conditionals_match_loops) {
  for (VisibleUnits units : {VisibleUnits::bernoulli, VisibleUnits::gaussian}) {
    Rbm rbm = random_rbm(37, 21, units);
    rbm.set_visible_clip(units == VisibleUnits::gaussian ? 1.5f : 0.0f);
    const Matrix<float> v = random_rows(9, 37, 1, false);
    Matrix<float> h(9, 21), means(9, 37);
    rbm.hidden_means(v, h);
    rbm.visible_means(h, means);
    for (std::size_t r = 0; r < 9; ++r) {
      std::vector<double> hr(21);
      for (std::size_t j = 0; j < 21; ++j) {
        hr[j] = h(r, j);
        BOOST_TEST(h(r, j) == ref::sigmoid(ref::hidden_input(rbm, v.row(r), j)), boost::test_tools::tolerance(2e-6));
      }
      for (std::size_t i = 0; i < 37; ++i) {
        const double a = ref::visible_input(rbm, hr, i);
        const double expected = units == VisibleUnits::bernoulli ? ref::sigmoid(a) : std::clamp(a, -1.5, 1.5);
        BOOST_TEST(means(r, i) == expected, boost::test_tools::tolerance(2e-5));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(free_energy_matches_enumeration) {
  for (VisibleUnits units : {VisibleUnits::bernoulli, VisibleUnits::gaussian}) {
    const Rbm rbm = random_rbm(6, 5, units);
    const Matrix<float> v = random_rows(12, 6, 2, units == VisibleUnits::bernoulli);
    std::vector<double> energy(12);
    gibbs::sampler::free_energy(rbm, v, energy);
    for (std::size_t r = 0; r < 12; ++r)
      BOOST_TEST(energy[r] == ref::brute_free_energy(rbm, v.row(r)), boost::test_tools::tolerance(1e-5));
  }
}

BOOST_AUTO_TEST_CASE(pseudo_likelihood_matches_enumeration) {
  const Rbm rbm = random_rbm(6, 4, VisibleUnits::bernoulli, 1.0f);
  const Matrix<float> v = random_rows(64, 6, 3, false);  // rounded to {0, 1} by the scorer
  std::vector<std::size_t> bits(64);
  for (std::size_t r = 0; r < 64; ++r) bits[r] = (r * 7) % 6;
  std::vector<double> terms(64);
  gibbs::sampler::pseudo_likelihood_terms(rbm, v, bits, terms);
  for (std::size_t r = 0; r < 64; ++r) {
    std::vector<float> x(6), flipped(6);
    for (std::size_t i = 0; i < 6; ++i) x[i] = v(r, i) >= 0.5f ? 1.0f : 0.0f;
    flipped = x;
    flipped[bits[r]] = 1.0f - flipped[bits[r]];
    // p(x_i | x_−i) = e^−F(x) / (e^−F(x) + e^−F(x̃)), every F by enumerating h.
    const double px = std::exp(-ref::brute_free_energy(rbm, x)), pf = std::exp(-ref::brute_free_energy(rbm, flipped));
    BOOST_TEST(terms[r] == 6.0 * std::log(px / (px + pf)), boost::test_tools::tolerance(1e-5));
  }
}

BOOST_AUTO_TEST_CASE(scores_match_loops) {
  for (VisibleUnits units : {VisibleUnits::bernoulli, VisibleUnits::gaussian}) {
    const Rbm rbm = random_rbm(6, 5, units);
    // 300 rows: more than one chunk of 256.
    const Matrix<float> v = random_rows(300, 6, 4, false);
    const gibbs::sampler::Scores s = gibbs::sampler::score(rbm, v, {11, 0});
    double mse = 0, cross_entropy = 0, energy = 0;
    for (std::size_t r = 0; r < 300; ++r) {
      std::vector<double> h(5);
      for (std::size_t j = 0; j < 5; ++j) h[j] = ref::sigmoid(ref::hidden_input(rbm, v.row(r), j));
      for (std::size_t i = 0; i < 6; ++i) {
        const double a = ref::visible_input(rbm, h, i);
        const double recon = units == VisibleUnits::bernoulli ? ref::sigmoid(a) : a;
        mse += (v(r, i) - recon) * (v(r, i) - recon);
        cross_entropy -= v(r, i) * std::log(recon) + (1 - v(r, i)) * std::log(1 - recon);
      }
      energy += ref::brute_free_energy(rbm, v.row(r));
    }
    BOOST_TEST(s.reconstruction_mse == mse / 1800, boost::test_tools::tolerance(1e-5));
    BOOST_TEST(s.free_energy == energy / 300, boost::test_tools::tolerance(1e-5));
    if (units == VisibleUnits::gaussian) {
      BOOST_TEST(std::isnan(s.reconstruction_cross_entropy));
      BOOST_TEST(std::isnan(s.pseudo_likelihood));
      continue;
    }
    BOOST_TEST(s.reconstruction_cross_entropy == cross_entropy / 300, boost::test_tools::tolerance(1e-5));
    // The stochastic pseudo-likelihood: bit i of row r from output r of the stream.
    std::vector<std::uint32_t> draws(300);
    rnd::bits({11, 0}, 0, draws);
    std::vector<std::size_t> bits(300);
    for (std::size_t r = 0; r < 300; ++r) bits[r] = static_cast<std::size_t>((std::uint64_t{draws[r]} * 6) >> 32);
    std::vector<double> terms(300);
    gibbs::sampler::pseudo_likelihood_terms(rbm, v, bits, terms);
    double pl = 0;
    for (double t : terms) pl += t;
    BOOST_TEST(s.pseudo_likelihood == pl / 300, boost::test_tools::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(gaussian_hidden_conditionals_match_loops) {
  Rbm rbm(6, 5, VisibleUnits::bernoulli, gibbs::sampler::HiddenUnits::gaussian);
  rnd::normal({5, 1}, 0, rbm.weights(), 0.0f, 0.7f);
  rnd::normal({5, 3}, 0, rbm.hidden_bias(), 0.0f, 0.7f);
  const Matrix<float> v = random_rows(40, 6, 4, true);
  Matrix<float> means(40, 5), samples(40, 5), noise(40, 5);
  rbm.hidden_means(v, means);
  rbm.sample_hidden({9, 2}, 17, means, samples);
  rnd::normal({9, 2}, 17, noise.view());
  for (std::size_t r = 0; r < 40; ++r)
    for (std::size_t j = 0; j < 5; ++j) {
      BOOST_TEST(means(r, j) == ref::hidden_input(rbm, v.row(r), j), boost::test_tools::tolerance(1e-5));
      BOOST_TEST(samples(r, j) == means(r, j) + noise(r, j));  // E[h | v] + N(0, 1), at the positions given
    }
  BOOST_CHECK_THROW(rbm.sample_hidden({9, 2}, 0, means, means), gibbs::ArgumentError);
  BOOST_CHECK_THROW(Rbm(6, 5, VisibleUnits::gaussian, gibbs::sampler::HiddenUnits::gaussian), gibbs::ArgumentError);
}

// The scores' rows are scored on the threads and summed in row order: the same bits for any
// thread count. 300 rows: a chunk of 256 cut into groups, and one of 44.
BOOST_AUTO_TEST_CASE(scores_have_the_same_bits_on_any_thread_count) {
  for (VisibleUnits units : {VisibleUnits::bernoulli, VisibleUnits::gaussian}) {
    const Rbm rbm = random_rbm(70, 300, units);
    const Matrix<float> v = random_rows(300, 70, 6, units == VisibleUnits::bernoulli);
    std::vector<std::size_t> bits(300);
    for (std::size_t r = 0; r < 300; ++r) bits[r] = (r * 11) % 70;
    std::vector<std::vector<double>> results;
    for (int threads : {1, 2, 3}) {
      gibbs::set_thread_count(threads);
      const gibbs::sampler::Scores s = gibbs::sampler::score(rbm, v, {11, 0});
      std::vector<double> all = {s.reconstruction_mse, s.reconstruction_cross_entropy, s.pseudo_likelihood,
                                 s.free_energy};
      for (const bool means : {false, true}) all.push_back(gibbs::sampler::free_energy_gap(rbm, v, 2, means, {5, 1}));
      std::vector<double> rows(300);
      gibbs::sampler::free_energy(rbm, v, rows);
      all.insert(all.end(), rows.begin(), rows.end());
      if (units == VisibleUnits::bernoulli) {
        gibbs::sampler::pseudo_likelihood_terms(rbm, v, bits, rows);
        all.insert(all.end(), rows.begin(), rows.end());
      }
      results.push_back(all);
    }
    gibbs::set_thread_count(0);
    for (std::size_t t = 1; t < results.size(); ++t)
      for (std::size_t k = 0; k < results[0].size(); ++k)
        BOOST_TEST(std::bit_cast<std::uint64_t>(results[0][k]) == std::bit_cast<std::uint64_t>(results[t][k]));
  }
}

BOOST_AUTO_TEST_CASE(visible_steps_from_the_transposed_weights) {
  for (VisibleUnits units : {VisibleUnits::bernoulli, VisibleUnits::gaussian}) {
    Rbm rbm = random_rbm(70, 300, units);  // 300 hidden units: a K long enough for the dot-product kernel
    rbm.set_visible_clip(units == VisibleUnits::gaussian ? 1.5f : 0.0f);
    Matrix<float> transposed;
    rbm.transpose_weights(2, 9, transposed);
    BOOST_TEST_REQUIRE((transposed.rows() == 300 && transposed.cols() == 70));
    for (std::size_t i = 0; i < 70; ++i)
      for (std::size_t j = 0; j < 300; ++j) BOOST_TEST(transposed(j, i) == rbm.weights()(i, j));
    // The same bits as W reordered within the product, for hidden samples and for means: never
    // the dot-product kernel (9 rows of K = 300 would fit it), whose sums differ in their last bits.
    for (const std::size_t rows : {49, 9})
      for (const bool samples : {true, false}) {
        const Matrix<float> h = random_rows(rows, 300, 3, samples);
        Matrix<float> plain(rows, 70), from_transposed(rows, 70), inputs(rows, 70), inputs_transposed(rows, 70);
        rbm.visible_means(h, plain);
        rbm.visible_means(h, transposed, from_transposed);
        rbm.visible_inputs(h, inputs);
        rbm.visible_inputs(h, transposed, inputs_transposed);
        BOOST_TEST(plain.values() == from_transposed.values(), boost::test_tools::per_element());
        BOOST_TEST(inputs.values() == inputs_transposed.values(), boost::test_tools::per_element());
        // One step reads W in place: fewer rows than visible units are computed as (W·hᵀ)ᵀ.
        Matrix<float> one_step;
        rbm.transpose_weights(1, rows, one_step);
        BOOST_TEST(one_step.size() == 0u);
      }
    // As many rows as visible units or more: the product would reorder W, so one step copies Wᵀ,
    // read with the same bits.
    const Matrix<float> h = random_rows(100, 300, 4, true);
    Matrix<float> one_step, plain(100, 70), from_one_step(100, 70);
    rbm.transpose_weights(1, 100, one_step);
    BOOST_TEST(one_step.size() == 300u * 70u);
    rbm.visible_means(h, plain);
    rbm.visible_means(h, one_step, from_one_step);
    BOOST_TEST(plain.values() == from_one_step.values(), boost::test_tools::per_element());
    // A short K (37 hidden units), too short for the dot-product kernel: 9 rows are computed
    // transposed, 80 rows copy.
    Matrix<float> short_k;
    const Rbm short_rbm = random_rbm(70, 37, units);
    short_rbm.transpose_weights(1, 9, short_k);
    BOOST_TEST(short_k.size() == 0u);
    short_rbm.transpose_weights(1, 80, short_k);
    BOOST_TEST(short_k.size() == 37u * 70u);
    rbm.transpose_weights(0, 100, short_k);
    BOOST_TEST(short_k.size() == 0u);
  }
  const Rbm rbm = random_rbm(6, 4, VisibleUnits::bernoulli);
  Matrix<float> h(2, 4), v(2, 6), wrong(6, 4);
  BOOST_CHECK_EXCEPTION(rbm.visible_means(h, wrong, v), gibbs::ShapeError, [](const gibbs::ShapeError& e) {
    return std::string(e.what()) == "the RBM's transposed weights: shape [6, 4], expected [4, 6]";
  });
}

// Sampling each block of the means as the GEMM finishes it draws what sampling the whole means
// afterwards draws: the same positions, the same bits, whatever blocks the thread count makes.
BOOST_AUTO_TEST_CASE(a_half_step_sampled_block_by_block_equals_means_then_samples) {
  const gibbs::random::Stream draws{31, 2};
  for (VisibleUnits units : {VisibleUnits::bernoulli, VisibleUnits::gaussian}) {
    Rbm rbm = random_rbm(300, 130, units);  // 64·300·130 multiply-adds: past the GEMM's serial limit
    rbm.set_visible_clip(units == VisibleUnits::gaussian ? 0.75f : 0.0f);
    Matrix<float> transposed;
    rbm.transpose_weights(2, 64, transposed);
    const Matrix<float> v = random_rows(64, 300, 4, units == VisibleUnits::bernoulli);
    Matrix<float> h_means(64, 130), h(64, 130), v_means(64, 300), v_sample(64, 300);
    rbm.hidden_means(v, h_means);
    rbm.sample_hidden(draws, 7, h_means, h);
    rbm.visible_means(h, transposed, v_means);
    rbm.sample_visible(draws, 1 << 20, v_means, v_sample);
    for (int threads : {1, 2, 3}) {
      gibbs::set_thread_count(threads);
      Matrix<float> hm(64, 130), hs(64, 130), vm(64, 300), vs(64, 300);
      rbm.sample_hidden_means(v, hm, draws, 7, hs);
      rbm.sample_visible_means(hs, transposed, vm, draws, 1 << 20, vs);
      BOOST_TEST(hm.values() == h_means.values(), boost::test_tools::per_element());
      BOOST_TEST(hs.values() == h.values(), boost::test_tools::per_element());
      BOOST_TEST(vm.values() == v_means.values(), boost::test_tools::per_element());
      BOOST_TEST(vs.values() == v_sample.values(), boost::test_tools::per_element());
      // Bernoulli samples may overwrite their means, as sample_hidden allows.
      if (units == VisibleUnits::bernoulli) {
        rbm.sample_hidden_means(v, hm, draws, 7, hm);
        BOOST_TEST(hm.values() == h.values(), boost::test_tools::per_element());
      }
    }
    gibbs::set_thread_count(0);
  }
  const Rbm rbm = random_rbm(6, 4, VisibleUnits::gaussian);
  Matrix<float> h(2, 4), v(2, 6), wrong(2, 5);
  BOOST_CHECK_EXCEPTION(rbm.sample_visible_means(h, {}, v, draws, 0, v), gibbs::ArgumentError,
                        [](const gibbs::ArgumentError& e) {
                          return std::string(e.what()) == "Gaussian visible samples cannot overwrite their means";
                        });
  BOOST_CHECK_EXCEPTION(rbm.sample_visible_means(h, {}, v, draws, 0, wrong), gibbs::ShapeError,
                        [](const gibbs::ShapeError& e) {
                          return std::string(e.what()) == "visible samples: shape [2, 5], expected [2, 6]";
                        });
}

BOOST_AUTO_TEST_CASE(free_energy_gap_follows_the_declared_draws) {
  // A loop in double over 300 rows (two chunks of 256 and more), drawing from the same positions.
  const std::size_t n = 300, visible = 6, hidden = 5, k = 2;
  const gibbs::random::Stream draws{21, 4};
  for (VisibleUnits units : {VisibleUnits::bernoulli, VisibleUnits::gaussian})
    for (const bool means : {false, true}) {
      const Rbm rbm = random_rbm(visible, hidden, units);
      const Matrix<float> v = random_rows(n, visible, 8, units == VisibleUnits::bernoulli);
      double gap = 0;
      for (std::size_t r = 0; r < n; ++r) {
        std::vector<float> x(v.row(r).begin(), v.row(r).end());
        gap += ref::brute_free_energy(rbm, x);
        for (std::size_t step = 0; step < k; ++step) {
          const std::uint64_t base = step * n * (hidden + visible);
          std::vector<float> u(hidden), noise(visible);
          rnd::uniform(draws, base + r * hidden, std::span<float>(u));
          std::vector<double> h(hidden);
          for (std::size_t j = 0; j < hidden; ++j)
            h[j] = u[j] < static_cast<float>(ref::sigmoid(ref::hidden_input(rbm, x, j))) ? 1 : 0;
          const std::uint64_t at = base + n * hidden + r * visible;
          if (units == VisibleUnits::bernoulli)
            rnd::uniform(draws, at, std::span<float>(noise));
          else
            rnd::normal(draws, at, std::span<float>(noise));
          for (std::size_t i = 0; i < visible; ++i) {
            const double a = ref::visible_input(rbm, h, i);
            const double mean = units == VisibleUnits::bernoulli ? ref::sigmoid(a) : a;
            x[i] = static_cast<float>(means                              ? mean
                                      : units == VisibleUnits::bernoulli ? (noise[i] < static_cast<float>(mean) ? 1 : 0)
                                                                         : mean + noise[i]);
          }
        }
        gap -= ref::brute_free_energy(rbm, x);
      }
      BOOST_TEST(gibbs::sampler::free_energy_gap(rbm, v, k, means, draws) == gap / n,
                 boost::test_tools::tolerance(1e-4));
    }
  // Known answer: with W = 0 the mean-field chain lands on σ(b), whatever h, and the hidden terms
  // cancel: the gap is mean(−b·v) + b·σ(b).
  Rbm flat = random_rbm(visible, hidden, VisibleUnits::bernoulli);
  for (std::size_t i = 0; i < visible; ++i)
    for (std::size_t j = 0; j < hidden; ++j) flat.weights()(i, j) = 0;
  const Matrix<float> v = random_rows(n, visible, 8, true);
  double expected = 0;
  for (std::size_t i = 0; i < visible; ++i) {
    const double b = flat.visible_bias()[i];
    double column = 0;
    for (std::size_t r = 0; r < n; ++r) column += v(r, i);
    expected += -b * column / n + b * ref::sigmoid(b);
  }
  BOOST_TEST(gibbs::sampler::free_energy_gap(flat, v, 3, true, draws) == expected, boost::test_tools::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(chains_keep_clamped_units_and_are_reproducible) {
  // 24 chains: on 2 and 3 threads each thread takes a group of them through the steps between
  // snapshots (at least 8 chains a thread).
  const Rbm rbm = random_rbm(8, 6, VisibleUnits::bernoulli, 1.5f);
  const std::size_t chains = 24;
  const Matrix<float> start = random_rows(chains, 8, 5, true);
  Matrix<float> a = start, b = start, c = start;
  std::size_t snapshots = 0;
  const std::vector<std::size_t> clamped = {0, 3};
  gibbs::set_thread_count(2);
  gibbs::sampler::run_chains(rbm, a, clamped, 7, 20, 5, [&](const gibbs::sampler::ChainSnapshot& s) {
    ++snapshots;
    BOOST_TEST(s.step == 5 * snapshots);
    for (std::size_t r = 0; r < chains; ++r)
      for (std::size_t i : clamped) {
        BOOST_TEST(s.states(r, i) == start(r, i));
        BOOST_TEST(s.means(r, i) == start(r, i));
      }
  });
  BOOST_TEST(snapshots == 4u);
  gibbs::set_thread_count(1);
  gibbs::sampler::run_chains(rbm, b, clamped, 7, 20, 0);
  gibbs::set_thread_count(3);
  gibbs::sampler::run_chains(rbm, c, clamped, 7, 20, 3, [](const gibbs::sampler::ChainSnapshot&) {});
  gibbs::set_thread_count(0);
  BOOST_TEST(a.values() == b.values(), boost::test_tools::per_element());
  BOOST_TEST(a.values() == c.values(), boost::test_tools::per_element());
  bool moved = false;
  for (std::size_t k = 0; k < a.size(); ++k) moved = moved || a.values()[k] != start.values()[k];
  BOOST_TEST(moved);
}

BOOST_AUTO_TEST_CASE(errors) {
  Rbm rbm = random_rbm(6, 4, VisibleUnits::gaussian);
  Matrix<float> v(3, 6), wrong(3, 5);
  std::vector<double> out(3);
  BOOST_CHECK_EXCEPTION(
      gibbs::sampler::free_energy(rbm, wrong, out), gibbs::ShapeError, [](const gibbs::ShapeError& e) {
        return std::string(e.what()).starts_with("free energy: rows must have one value per visible unit");
      });
  std::vector<std::size_t> bits(3);
  BOOST_CHECK_EXCEPTION(gibbs::sampler::pseudo_likelihood_terms(rbm, v, bits, out), gibbs::ArgumentError,
                        [](const gibbs::ArgumentError& e) {
                          return std::string(e.what()) == "pseudo-likelihood needs Bernoulli visible units";
                        });
  BOOST_CHECK_THROW(rbm.sample_visible({1, 1}, 0, v, v), gibbs::ArgumentError);
  BOOST_CHECK_THROW(rbm.set_visible_clip(-1.0f), gibbs::ArgumentError);
  const std::vector<std::size_t> clamped = {6};
  BOOST_CHECK_EXCEPTION(gibbs::sampler::run_chains(rbm, v, clamped, 1, 1, 0), gibbs::ArgumentError,
                        [](const gibbs::ArgumentError& e) {
                          return std::string(e.what()) == "clamped unit 6 is not one of the 6 visible units";
                        });
}
