// gibbs.sampler:partition — exact log Z against a brute-force enumeration of both layers (and a
// numerical integral for Gaussian visibles), normalised free energies, AIS against the exact
// value on a trained RBM, and the same bits for any thread count.
#define BOOST_TEST_MODULE partition
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
import gibbs.core;
import gibbs.random;
import gibbs.sampler;

using gibbs::Matrix;
using gibbs::sampler::Rbm;
using gibbs::sampler::VisibleUnits;
namespace rnd = gibbs::random;
namespace sampler = gibbs::sampler;

namespace {

Rbm random_rbm(std::size_t visible, std::size_t hidden, VisibleUnits units, float sigma = 0.5f,
               gibbs::sampler::HiddenUnits hidden_units = gibbs::sampler::HiddenUnits::bernoulli) {
  Rbm rbm(visible, hidden, units, hidden_units);
  rnd::normal({7, 1}, 0, rbm.weights(), 0.0f, sigma);
  rnd::normal({7, 2}, 0, rbm.visible_bias(), 0.0f, 0.5f);
  rnd::normal({7, 3}, 0, rbm.hidden_bias(), 0.0f, 0.5f);
  return rbm;
}

// log Σ_v Σ_h e^−E(v, h), both layers enumerated, in double.
double brute_force_log_z(const Rbm& rbm) {
  const std::size_t nv = rbm.visible(), nh = rbm.hidden();
  std::vector<double> terms;
  for (std::uint64_t vs = 0; vs < (std::uint64_t{1} << nv); ++vs)
    for (std::uint64_t hs = 0; hs < (std::uint64_t{1} << nh); ++hs) {
      double t = 0;
      for (std::size_t i = 0; i < nv; ++i) t += double((vs >> i) & 1) * rbm.visible_bias()[i];
      for (std::size_t j = 0; j < nh; ++j) t += double((hs >> j) & 1) * rbm.hidden_bias()[j];
      for (std::size_t i = 0; i < nv; ++i)
        for (std::size_t j = 0; j < nh; ++j) t += double((vs >> i) & 1) * double((hs >> j) & 1) * rbm.weights()(i, j);
      terms.push_back(t);
    }
  double top = terms[0];
  for (const double t : terms) top = std::max(top, t);
  double total = 0;
  for (const double t : terms) total += std::exp(t - top);
  return top + std::log(total);
}

Matrix<float> all_states(std::size_t n) {
  Matrix<float> v(std::size_t{1} << n, n);
  for (std::size_t s = 0; s < v.rows(); ++s)
    for (std::size_t i = 0; i < n; ++i) v(s, i) = static_cast<float>((s >> i) & 1);
  return v;
}

// Rows near four 36-bit prototypes (each bit flipped with probability 0.05).
Matrix<float> prototype_rows(std::size_t rows) {
  const std::size_t n = 36;
  Matrix<float> noise(rows, n);
  rnd::uniform({11, 0}, 0, noise.view());
  Matrix<float> v(rows, n);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t p = r % 4;
      const bool on = p == 0 ? i < 18 : p == 1 ? i >= 18 : p == 2 ? i % 2 == 0 : (i / 3) % 2 == 1;
      v(r, i) = (on != (noise(r, i) < 0.05f)) ? 1.0f : 0.0f;
    }
  return v;
}

Rbm trained_rbm() {
  const Matrix<float> data = prototype_rows(200);
  Rbm rbm(36, 15, VisibleUnits::bernoulli);
  sampler::initialize_normal(rbm, 0.1f, 5);
  sampler::ContrastiveDivergence cd(rbm, 20, {.k = 1});
  for (std::uint64_t step = 0; step < 600; ++step) {
    const std::size_t first = (step % 10) * 20;
    cd.step(rbm, data.view().block(first, 0, 20, 36), 0.1f, 0.0f, 9, step);
  }
  return rbm;
}

}  // namespace

BOOST_AUTO_TEST_CASE(exact_matches_brute_force_either_layer_enumerated) {
  for (const auto& [nv, nh] : {std::pair{5, 4}, std::pair{4, 6}, std::pair{3, 3}}) {
    const Rbm rbm = random_rbm(nv, nh, VisibleUnits::bernoulli);
    const double exact = sampler::exact_log_partition(rbm), brute = brute_force_log_z(rbm);
    BOOST_TEST(exact == brute, boost::test_tools::tolerance(1e-5));
  }
}

BOOST_AUTO_TEST_CASE(free_energies_normalise_to_one) {
  for (const auto& [nv, nh] : {std::pair{5, 4}, std::pair{4, 6}}) {
    const Rbm rbm = random_rbm(nv, nh, VisibleUnits::bernoulli, 1.0f);
    const double log_z = sampler::exact_log_partition(rbm);
    const Matrix<float> v = all_states(nv);
    std::vector<double> f(v.rows());
    sampler::free_energy(rbm, v, f);
    double total = 0;
    for (const double fv : f) total += std::exp(-fv - log_z);
    BOOST_TEST(total == 1.0, boost::test_tools::tolerance(1e-5));
  }
}

BOOST_AUTO_TEST_CASE(gaussian_exact_matches_the_integral_of_the_free_energy) {
  // ∫ e^−F(v) dv over a grid wide enough that the tails do not count (midpoint rule).
  const Rbm rbm = random_rbm(2, 3, VisibleUnits::gaussian);
  const double lo = -12, width = 0.04;
  const std::size_t n = 600;
  Matrix<float> v(n * n, 2);
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = 0; b < n; ++b) {
      v(a * n + b, 0) = static_cast<float>(lo + (static_cast<double>(a) + 0.5) * width);
      v(a * n + b, 1) = static_cast<float>(lo + (static_cast<double>(b) + 0.5) * width);
    }
  std::vector<double> f(v.rows());
  sampler::free_energy(rbm, v, f);
  double total = 0;
  for (const double fv : f) total += std::exp(-fv);
  const double integral = std::log(total * width * width);
  BOOST_TEST(sampler::exact_log_partition(rbm) == integral, boost::test_tools::tolerance(1e-4));
}

BOOST_AUTO_TEST_CASE(gaussian_hidden_units_integrate_out_as_computed_by_hand) {
  // F(v) = −log ∫ e^−E(v, h) dh with E = −b·v − c·h − vᵀWh + ‖h‖²/2, by the midpoint rule over a
  // grid of the two hidden units; and log Z = log Σ_v e^−F(v) over the 8 visible states.
  const Rbm rbm = random_rbm(3, 2, VisibleUnits::bernoulli, 0.5f, gibbs::sampler::HiddenUnits::gaussian);
  const Matrix<float> v = all_states(3);
  std::vector<double> f(v.rows());
  sampler::free_energy(rbm, v, f);
  const double lo = -10, width = 0.02;
  const std::size_t n = 1200;
  double z = 0;
  for (std::size_t r = 0; r < v.rows(); ++r) {
    double b_v = 0, a[2] = {rbm.hidden_bias()[0], rbm.hidden_bias()[1]};
    for (std::size_t i = 0; i < 3; ++i) {
      b_v += double{v(r, i)} * rbm.visible_bias()[i];
      for (std::size_t j = 0; j < 2; ++j) a[j] += double{v(r, i)} * rbm.weights()(i, j);
    }
    double integral = 0;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = 0; q < n; ++q) {
        const double h0 = lo + (static_cast<double>(p) + 0.5) * width, h1 = lo + (static_cast<double>(q) + 0.5) * width;
        integral += std::exp(b_v + a[0] * h0 + a[1] * h1 - 0.5 * (h0 * h0 + h1 * h1));
      }
    integral *= width * width;
    BOOST_TEST(f[r] == -std::log(integral), boost::test_tools::tolerance(1e-6));
    z += integral;
  }
  BOOST_TEST(sampler::exact_log_partition(rbm) == std::log(z), boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(gaussian_hidden_ais_is_within_a_tenth_of_a_nat) {
  const Rbm rbm = random_rbm(12, 8, VisibleUnits::bernoulli, 0.3f, gibbs::sampler::HiddenUnits::gaussian);
  const double exact = sampler::exact_log_partition(rbm);
  const sampler::AisEstimate ais = sampler::ais_log_partition(rbm, {.runs = 100, .steps = 2000}, 5);
  BOOST_TEST_MESSAGE("Gaussian hidden: exact " << exact << ", AIS " << ais.log_z);
  BOOST_TEST(std::abs(ais.log_z - exact) < 0.1);
}

BOOST_AUTO_TEST_CASE(too_wide_a_layer_is_an_argument_error) {
  const auto message = [](const Rbm& rbm) {
    try {
      sampler::exact_log_partition(rbm);
    } catch (const gibbs::ArgumentError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  BOOST_TEST(message(Rbm(30, 26, VisibleUnits::bernoulli)).find("the hidden layer has 26 units") != std::string::npos);
  BOOST_TEST(message(Rbm(27, 40, VisibleUnits::bernoulli)).find("the visible layer has 27 units") != std::string::npos);
  BOOST_TEST(message(Rbm(3, 26, VisibleUnits::gaussian)).find("the hidden layer has 26 units") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(schedule_is_the_papers) {
  const std::vector<double> betas = sampler::ais_schedule(sampler::kDefaultAisSteps);
  BOOST_TEST(betas.size() == 14'501u);
  BOOST_TEST(betas[0] == 0.0);
  BOOST_TEST(betas[1] == 0.001, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(betas[500] == 0.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(betas[501] - betas[500] == 1e-4, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(betas[4500] == 0.9, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(betas[4501] - betas[4500] == 1e-5, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(betas.back() == 1.0);
  for (std::size_t k = 1; k < betas.size(); ++k) BOOST_TEST_REQUIRE(betas[k] > betas[k - 1]);
}

BOOST_AUTO_TEST_CASE(ais_is_within_a_tenth_of_a_nat_on_a_trained_rbm) {
  const Rbm rbm = trained_rbm();
  const double exact = sampler::exact_log_partition(rbm);
  const Matrix<float> data = prototype_rows(200);
  const std::vector<float> base = sampler::base_rate_biases(rbm, data);
  const sampler::AisEstimate ais =
      sampler::ais_log_partition(rbm, {.runs = 100, .steps = 3000, .base_visible_bias = base}, 1);
  BOOST_TEST_MESSAGE("exact " << exact << ", AIS " << ais.log_z << " [" << ais.lower << ", " << ais.upper << "]");
  BOOST_TEST(std::abs(ais.log_z - exact) < 0.1);
  BOOST_TEST(ais.lower <= ais.log_z);
  BOOST_TEST(ais.upper >= ais.log_z);
  std::vector<double> f(data.rows());
  sampler::free_energy(rbm, data, f);
  double mean_f = 0;
  for (const double fv : f) mean_f += fv / static_cast<double>(f.size());
  BOOST_TEST_MESSAGE("mean log-likelihood " << -mean_f - exact);
  BOOST_TEST(-mean_f - exact > -36 * std::log(2.0) + 5);  // far better than uniform
}

BOOST_AUTO_TEST_CASE(gaussian_ais_is_within_a_tenth_of_a_nat) {
  const Rbm rbm = random_rbm(10, 8, VisibleUnits::gaussian, 0.3f);
  const double exact = sampler::exact_log_partition(rbm);
  const sampler::AisEstimate ais = sampler::ais_log_partition(rbm, {.runs = 100, .steps = 2000}, 2);
  BOOST_TEST_MESSAGE("Gaussian: exact " << exact << ", AIS " << ais.log_z);
  BOOST_TEST(std::abs(ais.log_z - exact) < 0.1);
}

BOOST_AUTO_TEST_CASE(any_thread_count_gives_the_same_bits) {
  // 64 runs × 100 visible × 15 hidden: both GEMMs are past the serial threshold, and on 2 and 3
  // threads each thread takes a group of the runs through all the steps.
  const Rbm rbm = random_rbm(100, 15, VisibleUnits::bernoulli, 0.1f);
  std::vector<double> ais, exact;
  for (const int threads : {1, 2, 3}) {
    gibbs::set_thread_count(threads);
    ais.push_back(sampler::ais_log_partition(rbm, {.runs = 64, .steps = 200}, 3).log_z);
    exact.push_back(sampler::exact_log_partition(rbm));
  }
  gibbs::set_thread_count(0);
  BOOST_TEST(ais[0] == ais[1]);
  BOOST_TEST(ais[0] == ais[2]);
  BOOST_TEST(exact[0] == exact[1]);
}
