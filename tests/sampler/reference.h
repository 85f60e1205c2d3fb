// Naive double-precision references for the RBM tests: energies by enumeration, conditionals
// by loops. Small RBMs only (2^visible and 2^hidden states).
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <vector>
import gibbs.core;
import gibbs.sampler;

namespace gibbs::test {

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// c_j + Σ_i v_i W_ij
inline double hidden_input(const sampler::Rbm& rbm, std::span<const float> v, std::size_t j) {
  double a = rbm.hidden_bias()[j];
  for (std::size_t i = 0; i < rbm.visible(); ++i) a += double{v[i]} * rbm.weights()(i, j);
  return a;
}

// b_i + Σ_j h_j W_ij
inline double visible_input(const sampler::Rbm& rbm, std::span<const double> h, std::size_t i) {
  double a = rbm.visible_bias()[i];
  for (std::size_t j = 0; j < rbm.hidden(); ++j) a += h[j] * rbm.weights()(i, j);
  return a;
}

inline double energy(const sampler::Rbm& rbm, std::span<const float> v, std::span<const double> h) {
  double e = 0;
  for (std::size_t i = 0; i < rbm.visible(); ++i) {
    const double b = rbm.visible_bias()[i];
    e += rbm.units() == sampler::VisibleUnits::bernoulli ? -b * v[i] : 0.5 * (v[i] - b) * (v[i] - b);
  }
  for (std::size_t j = 0; j < rbm.hidden(); ++j) {
    e -= rbm.hidden_bias()[j] * h[j];
    for (std::size_t i = 0; i < rbm.visible(); ++i) e -= double{v[i]} * rbm.weights()(i, j) * h[j];
  }
  return e;
}

// −log Σ_h e^−E(v, h), summing over all 2^hidden states.
inline double brute_free_energy(const sampler::Rbm& rbm, std::span<const float> v) {
  std::vector<double> h(rbm.hidden());
  double total = 0;
  for (std::size_t bits = 0; bits < (std::size_t{1} << rbm.hidden()); ++bits) {
    for (std::size_t j = 0; j < rbm.hidden(); ++j) h[j] = (bits >> j) & 1;
    total += std::exp(-energy(rbm, v, h));
  }
  return -std::log(total);
}

// The visible state numbered `bits` (unit i is bit i).
inline std::vector<float> state(std::size_t bits, std::size_t visible) {
  std::vector<float> v(visible);
  for (std::size_t i = 0; i < visible; ++i) v[i] = static_cast<float>((bits >> i) & 1);
  return v;
}

// log p(v) for a Bernoulli RBM, normalising over all 2^visible states.
inline double exact_log_likelihood(const sampler::Rbm& rbm, std::span<const float> v) {
  double z = 0;
  for (std::size_t bits = 0; bits < (std::size_t{1} << rbm.visible()); ++bits)
    z += std::exp(-brute_free_energy(rbm, state(bits, rbm.visible())));
  return -brute_free_energy(rbm, v) - std::log(z);
}

}  // namespace gibbs::test
