// gibbs.sampler:scores — how well an RBM fits data: free energy, the deterministic mean-field
// reconstruction's error, and the stochastic pseudo-likelihood of the Theano RBM tutorial.
module;
#include <cstddef>
#include <span>
export module gibbs.sampler:scores;
import gibbs.core;
import gibbs.random;
import :rbm;

export namespace gibbs::sampler {

// Means over the rows of v, each row's sum taken in double, rows added in order (the same
// result for any thread count).
struct Scores {
  // Over all elements: (v − v̂)², v̂ = E[v | h = P(h | v)] (no sampling anywhere).
  double reconstruction_mse = 0;
  // Bernoulli visibles, per row: −Σ_i [v_i log v̂_i + (1 − v_i) log(1 − v̂_i)], computed from
  // the logits. NaN for Gaussian visibles.
  double reconstruction_cross_entropy = 0;
  // Bernoulli visibles, per row: visible · log P(x_i | x_−i) = visible · log σ(F(x̃) − F(x)),
  // x the row rounded to {0, 1}, x̃ it with bit i flipped, i drawn uniformly per row from the
  // stream. NaN for Gaussian visibles.
  double pseudo_likelihood = 0;
  double free_energy = 0;  // F(v) = −log Σ_h e^−E(v, h)
};
Scores score(const Rbm& rbm, ConstView<float> v, random::Stream bit_draws);

// Seed 002's CD loss: mean F(v) − mean F(v_k) over the rows of v, v_k k Gibbs steps away from v
// as CD-k's negative phase draws them (h ~ P(h | v), then v ~ P(v | h), or E[v | h] with
// `visible_means`). Step s draws its hidden states at positions s·n·(H + V) + r·H + j of the
// stream and its visible ones at s·n·(H + V) + n·H + r·V + i (n rows, H hidden, V visible).
double free_energy_gap(const Rbm& rbm, ConstView<float> v, std::size_t k, bool visible_means, random::Stream draws);

// F(v) of each row of v.
void free_energy(const Rbm& rbm, ConstView<float> v, std::span<double> out);

// visible · log P(x_i | x_−i) for each row x of v rounded to {0, 1}, with i = bits[row]
// (Bernoulli visibles).
void pseudo_likelihood_terms(const Rbm& rbm, ConstView<float> v, std::span<const std::size_t> bits,
                             std::span<double> out);

}  // namespace gibbs::sampler
