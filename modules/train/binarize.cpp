// gibbs.train:binarize — the checks and draws.
module;
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <string>
module gibbs.train;
import gibbs.core;
import gibbs.random;

namespace gibbs::train {

void check_probabilities(ConstView<float> x, const std::string& file, const std::string& split,
                         const std::string& need) {
  for (std::size_t r = 0; r < x.rows(); ++r)
    for (const float value : x.row(r))
      if (!(value >= 0 && value <= 1))
        throw FormatError(
            file, fmt::format("{} needs values in [0, 1], and row {} of the {} split holds {}", need, r, split, value));
}

void binarize_split(ConstView<float> x, MatrixView<float> out, std::uint64_t seed, std::size_t place) {
  random::bernoulli(random::streams::binarized_split(seed, place), 0, x, out);
}

}  // namespace gibbs::train
