// gibbs.train:binarize — the checks and draws.
module;
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
module gibbs.train;
import gibbs.core;
import gibbs.random;

namespace gibbs::train {

void check_probabilities(ConstView<float> x, const std::string& file, const std::string& split, const std::string& need,
                         std::span<const std::size_t> rows) {
  for (std::size_t r = 0; r < x.rows(); ++r)
    for (const float value : x.row(r))
      if (!(value >= 0 && value <= 1))
        throw FormatError(file, fmt::format("{} needs values in [0, 1], and row {} of the {} split holds {}", need,
                                            rows.empty() ? r : rows[r], split, value));
}

void binarize_split(ConstView<float> x, MatrixView<float> out, std::uint64_t seed, std::size_t place,
                    std::span<const std::size_t> rows) {
  const random::Stream stream = random::streams::binarized_split(seed, place);
  if (rows.empty()) return random::bernoulli(stream, 0, x, out);
  for (std::size_t r = 0; r < x.rows(); ++r)
    random::bernoulli(stream, rows[r] * x.cols(), x.block(r, 0, 1, x.cols()), out.block(r, 0, 1, x.cols()));
}

}  // namespace gibbs::train
