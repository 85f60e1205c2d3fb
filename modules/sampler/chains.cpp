// gibbs.sampler:chains
module;
#include <fmt/format.h>

#include <algorithm>
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
  // Rows [c0, c0 + m.rows()) of the chains get their clamped values back.
  const auto clamp = [&](MatrixView<float> m, std::size_t c0) {
    for (std::size_t r = 0; r < m.rows(); ++r)
      for (std::size_t k = 0; k < clamped.size(); ++k) m(r, clamped[k]) = fixed(c0 + r, k);
  };
  Matrix<float> transposed;
  rbm.transpose_weights(steps, chains, transposed);
  const std::size_t nv = rbm.visible(), nh = rbm.hidden();
  // Gibbs steps first … last, without a snapshot between them.
  const auto run = [&](std::size_t first, std::size_t last) {
    for_chain_groups(chains, transposed, [&](std::size_t c0, std::size_t c1) {
      const auto own = [&](MatrixView<float> m) { return m.block(c0, 0, c1 - c0, m.cols()); };
      for (std::size_t step = first; step <= last; ++step) {
        rbm.sample_hidden_means(own(visible), own(hidden_means), rbm_draw(seed, RbmDraw::hidden, step), c0 * nh,
                                own(hidden));
        rbm.visible_means(own(hidden), transposed, own(means));
        clamp(own(means), c0);
        rbm.sample_visible(rbm_draw(seed, RbmDraw::visible, step), c0 * nv, own(means), own(visible));
        clamp(own(visible), c0);
      }
    });
  };
  const std::size_t every_snapshot = every != 0 && snapshot ? every : steps + 1;
  for (std::size_t first = 1; first <= steps;) {
    const std::size_t last = std::min(steps, (first + every_snapshot - 1) / every_snapshot * every_snapshot);
    run(first, last);
    if (last % every_snapshot == 0) snapshot({last, means, visible});
    first = last + 1;
  }
}

}  // namespace gibbs::sampler
