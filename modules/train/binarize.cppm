// gibbs.train:binarize — values in [0, 1] read as probabilities and drawn as 0/1: a whole split
// once (gibbs data binarize --stochastic, and the log-likelihood of a run trained with
// --binarize stochastic), or each minibatch afresh (the epoch runner).
module;
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
export module gibbs.train:binarize;
import gibbs.core;

export namespace gibbs::train {

// x holds the split's rows `rows` (empty: all of them, in order).

// A FormatError naming `file` when a value of x lies outside [0, 1] (or is NaN): "<need> needs
// values in [0, 1], and row R of the S split holds V".
void check_probabilities(ConstView<float> x, const std::string& file, const std::string& split, const std::string& need,
                         std::span<const std::size_t> rows = {});

// out = a Bernoulli(v) draw for each value v of x, from random::streams::binarized_split(seed,
// place), place the split's position in its file (train 0): each row drawn where the whole split
// draws it. out may be x itself.
void binarize_split(ConstView<float> x, MatrixView<float> out, std::uint64_t seed, std::size_t place,
                    std::span<const std::size_t> rows = {});

}  // namespace gibbs::train
