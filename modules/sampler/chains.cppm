// gibbs.sampler:chains — free-running Gibbs chains on a trained RBM, optionally with some
// visible units held fixed (pattern completion).
module;
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
export module gibbs.sampler:chains;
import gibbs.core;
import :rbm;

export namespace gibbs::sampler {

struct ChainSnapshot {
  std::size_t step;         // 1-based: after this many full steps
  ConstView<float> means;   // E[v | h] of every chain, clamped units at their fixed values
  ConstView<float> states;  // the sampled visible states
};

// One row of `visible` per chain: the starting states, and the final states on return. A step
// is h ~ P(h | v), then v ~ P(v | h), drawn from random::streams::rbm_draw(seed, hidden | visible,
// step). The units listed in `clamped` keep their starting values throughout. After every
// `every` steps (0: never) `snapshot` sees the chains.
void run_chains(const Rbm& rbm, MatrixView<float> visible, std::span<const std::size_t> clamped, std::uint64_t seed,
                std::size_t steps, std::size_t every, const std::function<void(const ChainSnapshot&)>& snapshot = {});

}  // namespace gibbs::sampler
