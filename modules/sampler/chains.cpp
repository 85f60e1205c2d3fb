// gibbs.sampler:chains
module;
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
module gibbs.sampler;
import gibbs.core;
import gibbs.random;

namespace gibbs::sampler {

using random::streams::rbm_draw;
using random::streams::RbmDraw;

void run_chains(const Rbm& rbm, MatrixView<float> visible, std::span<const std::size_t> clamped, std::uint64_t seed,
                std::size_t steps, std::size_t every, const std::function<void(const ChainSnapshot&)>& snapshot) {
  if (visible.cols() != rbm.visible())
    throw ShapeError("chains: one value per visible unit", visible.shape(), {visible.rows(), rbm.visible()});
  for (std::size_t i : clamped)
    if (i >= rbm.visible())
      throw ArgumentError(fmt::format("clamped unit {} is not one of the {} visible units", i, rbm.visible()));
  if (steps >= random::streams::kRbmSteps)
    throw ArgumentError(fmt::format("chains: at most {} steps (the RBM draws registered for one seed), got {}",
                                    random::streams::kRbmSteps - 1, steps));
  const std::size_t chains = visible.rows();
  Matrix<float> fixed(chains, clamped.size()), hidden(chains, rbm.hidden()), hidden_means(chains, rbm.hidden()),
      means(chains, rbm.visible());
  for (std::size_t r = 0; r < chains; ++r)
    for (std::size_t k = 0; k < clamped.size(); ++k) fixed(r, k) = visible(r, clamped[k]);
  const auto clamp = [&](MatrixView<float> m) {
    for (std::size_t r = 0; r < chains; ++r)
      for (std::size_t k = 0; k < clamped.size(); ++k) m(r, clamped[k]) = fixed(r, k);
  };
  Matrix<float> transposed;
  rbm.transpose_weights(steps, transposed);
  for (std::size_t step = 1; step <= steps; ++step) {
    rbm.sample_hidden_means(visible, hidden_means, rbm_draw(seed, RbmDraw::hidden, step), 0, hidden);
    rbm.visible_means(hidden, transposed, means);
    clamp(means);
    rbm.sample_visible(rbm_draw(seed, RbmDraw::visible, step), 0, means, visible);
    clamp(visible);
    if (every != 0 && step % every == 0 && snapshot) snapshot({step, means, visible});
  }
}

}  // namespace gibbs::sampler
