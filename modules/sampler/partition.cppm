// gibbs.sampler:partition — an RBM's log partition function log Z: exactly, by enumerating the
// states of its smaller layer, or estimated by annealed importance sampling (AIS, Salakhutdinov
// & Murray, ICML 2008).
module;
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>
export module gibbs.sampler:partition;
import gibbs.core;
import :rbm;

export namespace gibbs::sampler {

// The widest layer exact_log_partition enumerates (2²⁵ states).
inline constexpr std::size_t kMaxExactUnits = 25;

// log Z, Z = Σ_v Σ_h e^−E(v, h) (an integral over v for Gaussian visibles), with E as in :rbm.
// Bernoulli visibles enumerate the smaller layer, Gaussian ones the hidden layer, and sum (or
// integrate) the other out analytically:
//   hidden enumerated, Bernoulli:  log Σ_h exp(c·h + Σ_i softplus(b_i + W_i·h))
//   hidden enumerated, Gaussian:   (n_v/2)·log 2π − ‖b‖²/2 + log Σ_h exp(c·h + ‖b + Wh‖²/2)
//   visible enumerated:            log Σ_v exp(b·v + Σ_j softplus(c_j + vᵀW_j)) = log Σ_v e^−F(v)
// Blocks of states go through the GEMM in parallel; their log-sum-exps (in double) are combined
// in block order, so any thread count gives the same bits. A layer wider than kMaxExactUnits is
// an ArgumentError naming it.
double exact_log_partition(const Rbm& rbm);

// The AIS schedule: β₀ = 0 < β₁ < … < β_K = 1 with K = steps, spaced as Salakhutdinov & Murray's
// 14,500 steps (1e-3 on [0, 0.5], 1e-4 on [0.5, 0.9], 1e-5 on [0.9, 1]): the three stretches get
// 1/29, 8/29 and 20/29 of the steps, each spaced evenly.
inline constexpr std::size_t kDefaultAisSteps = 14'500;
std::vector<double> ais_schedule(std::size_t steps);

struct AisSettings {
  std::size_t runs = 100;                // independent annealing runs (chains)
  std::size_t steps = kDefaultAisSteps;  // K, the schedule's steps
  // The base model's visible biases (Bernoulli: log(p/(1−p)) of the training means, see
  // base_rate_biases) or means (Gaussian); empty: zeros.
  std::span<const float> base_visible_bias = {};
};

struct AisEstimate {
  double log_z = 0;  // log Ẑ = log Z_A + log mean(w)
  // log Z_A + log(mean(w) ∓ 3·se), se = sd(w)/sqrt(runs): lower is −∞ when mean − 3·se ≤ 0.
  double lower = 0, upper = 0;
  double log_base = 0;  // log Z_A
};

// Annealing from the base model A (the RBM's hidden units, zero weights and hidden biases, the
// base visible biases) to the RBM B through p_β(v) ∝ exp((1−β)·b_A·v + β·b·v) Π_j (1 + e^{β(c_j +
// vᵀW_j)}) (Gaussian visibles: exp(−‖v − ((1−β)b_A + βb)‖²/2) in place of the visible term;
// Gaussian hidden units: e^{β²(c_j + vᵀW_j)²/2} in place of the hidden factor, h ~ N(β(c + vW), 1)). Each
// run starts at v ~ p_A, adds log p*_βk(v) − log p*_βk−1(v) to its log weight and moves v by one
// Gibbs step at β_k (h ~ σ(β_k·(c + vW)), then v). All runs are the rows of one matrix, stepped
// together through the GEMM; the draws come from random::streams::ais_draw(seed, k, kind), so any
// thread count gives the same bits.
AisEstimate ais_log_partition(const Rbm& rbm, const AisSettings& settings, std::uint64_t seed);

// The base model's visible biases for data v (rows): Bernoulli, log(p/(1−p)) of each unit's mean p
// clipped to [0.001, 0.999]; Gaussian, each unit's mean.
std::vector<float> base_rate_biases(const Rbm& rbm, ConstView<float> v);

}  // namespace gibbs::sampler
