// gibbs.random:streams — the Stream key and the one registry of stream families: every stream
// the engine, its plugins and its benchmarks draw from is made by a function here.
module;
#include <cstdint>
#include <string_view>
export module gibbs.random:streams;
import gibbs.core;

export namespace gibbs::random {

struct Stream {
  std::uint64_t seed = 0;
  std::uint64_t id = 0;  // independent streams under one seed
};

}  // namespace gibbs::random

// Families by id (no two share an id; tests/random/streams_test.cpp checks it). The ids are
// those the engine always used, so every checkpoint and dataset stays bit-identical.
//   family          function                              ids
//   model init      model_init(seed)                      0: an RBM's weights; a perceptron's weights, then bias
//   RBM draws       rbm_draw(seed, kind, step)            8·step + kind, kind 1…7, step < 2²⁷ (ids below 2³⁰):
//                                                         hidden 1, visible 2, free-energy gap chains 4,
//                                                         pseudo-likelihood 5; kinds 3, 6, 7 reserved (once
//                                                         shuffle, chain start)
//   synthetic data  synth_labels / synth_patterns /       0x4c41424c "LABL", 0x50415454 "PATT",
//                   synth_sincos(seed)                    0x53494e43 "SINC"
//   capacity trial  capacity_trial(seed, P, t)            P·2³² + t, 1 ≤ P < 2³⁰, t < 2³⁰
//   row split       row_split(seed)                       0x5350'4c49'54 "SPLIT"
//   layer init      layer_init(seed, stage, layer)        0x494e'4954'0000 "INIT" + layer, layer < 2¹⁶, under
//                                                         stage_seed(seed, stage) = seed ^ 0x5354'4147'4500'0000·stage
//   chain start     chain_start(seed)                     2⁶²: free-running chains' starting states
//   binarised rows  binarized_batch(seed, step)           2⁶² + 2⁶⁰ + step, step < 2⁴⁰: a minibatch drawn as
//                                                         Bernoulli(values) (gibbs train --binarize stochastic)
//   binarised split binarized_split(seed, split)          2⁶² + 2⁶⁰ + 2⁴⁰ + split, split < 2¹⁶ (its place in the
//                                                         file, train 0): a whole split drawn once as
//                                                         Bernoulli(values) (gibbs data binarize --stochastic)
//   AIS draws       ais_draw(seed, step, kind)            2⁶² + 2⁶¹ + 4·step + kind, kind 0…2 (start 0, hidden 1,
//                                                         visible 2), step < 2⁴⁰: annealed importance sampling
//   scored rows     scored_rows(seed, split)              2⁶³ (train), 2⁶³ + 1 (test): the rows scored every epoch
//   shuffle         shuffle(seed, epoch)                  2⁶³ + 2 + epoch: the epoch's minibatch order
// The bounds keep the old ids apart: RBM steps end below the synthetic-data ids, and a capacity
// trial's low word (t < 2³⁰) never reaches the row split's or the layer inits' low words. An
// argument past its family's bounds is an ArgumentError.
export namespace gibbs::random::streams {

// A family's ids: first + stride·index + lane, for index < count and lane < lanes (≤ stride).
struct Family {
  std::string_view name;
  std::uint64_t first = 0, stride = 1, lanes = 1, count = 1;

  std::uint64_t id(std::uint64_t index, std::uint64_t lane = 0) const {
    if (index >= count || lane >= lanes) throw_outside(index, lane);
    return first + stride * index + lane;
  }
  constexpr std::uint64_t last() const { return first + stride * (count - 1) + (lanes - 1); }
  constexpr bool contains(std::uint64_t id) const {
    if (id < first || id > last()) return false;
    return (id - first) / stride < count && (id - first) % stride < lanes;
  }
  [[noreturn]] void throw_outside(std::uint64_t index, std::uint64_t lane) const;  // ArgumentError
};

enum class RbmDraw : std::uint64_t { hidden = 1, visible = 2, free_energy_gap = 4, pseudo_likelihood = 5 };
inline constexpr std::uint64_t kRbmDrawKinds = 8;
inline constexpr std::uint64_t kRbmSteps = std::uint64_t{1} << 27;

enum class AisDraw : std::uint64_t { start, hidden, visible };
inline constexpr std::uint64_t kAisSteps = std::uint64_t{1} << 40;

enum class ScoredSplit : std::uint64_t { train, test };

inline constexpr std::uint64_t kStageSeed = 0x5354'4147'4500'0000;  // "STAGE"

inline constexpr Family kModelInit{"model init", 0};
inline constexpr Family kRbmDraws{"RBM draws", 1, kRbmDrawKinds, kRbmDrawKinds - 1, kRbmSteps};
inline constexpr Family kSynthLabels{"synthetic labels", 0x4c41424c};
inline constexpr Family kSynthPatterns{"synthetic patterns", 0x50415454};
inline constexpr Family kSynthSincos{"synthetic sincos", 0x53494e43};
inline constexpr Family kCapacityTrials{"capacity trials", std::uint64_t{1} << 32, std::uint64_t{1} << 32,
                                        std::uint64_t{1} << 30, (std::uint64_t{1} << 30) - 1};
inline constexpr Family kRowSplit{"row split", 0x5350'4c49'54};
inline constexpr Family kLayerInit{"layer init", 0x494e'4954'0000, 1, 1, std::uint64_t{1} << 16};
inline constexpr Family kChainStart{"chain start", std::uint64_t{1} << 62};
inline constexpr Family kBinarizedBatches{"binarized batches", (std::uint64_t{1} << 62) + (std::uint64_t{1} << 60), 1,
                                          1, std::uint64_t{1} << 40};
inline constexpr Family kBinarizedSplits{"binarized splits",
                                         (std::uint64_t{1} << 62) + (std::uint64_t{1} << 60) + (std::uint64_t{1} << 40),
                                         1, 1, std::uint64_t{1} << 16};
inline constexpr Family kAisDraws{"AIS draws", (std::uint64_t{1} << 62) + (std::uint64_t{1} << 61), 4, 3, kAisSteps};
inline constexpr Family kScoredRows{"scored rows", std::uint64_t{1} << 63, 1, 1, 2};
inline constexpr Family kShuffle{"shuffle", (std::uint64_t{1} << 63) + 2, 1, 1, (std::uint64_t{1} << 63) - 2};

inline constexpr Family kFamilies[] = {kModelInit,       kRbmDraws, kSynthLabels, kSynthPatterns, kSynthSincos,
                                       kCapacityTrials,  kRowSplit, kLayerInit,   kChainStart,    kBinarizedBatches,
                                       kBinarizedSplits, kAisDraws, kScoredRows,  kShuffle};

inline Stream model_init(std::uint64_t seed) { return {seed, kModelInit.id(0)}; }

inline Stream rbm_draw(std::uint64_t seed, RbmDraw kind, std::uint64_t step) {
  return {seed, kRbmDraws.id(step, static_cast<std::uint64_t>(kind) - 1)};
}

inline Stream synth_labels(std::uint64_t seed) { return {seed, kSynthLabels.id(0)}; }
inline Stream synth_patterns(std::uint64_t seed) { return {seed, kSynthPatterns.id(0)}; }
inline Stream synth_sincos(std::uint64_t seed) { return {seed, kSynthSincos.id(0)}; }

inline Stream capacity_trial(std::uint64_t seed, std::uint64_t patterns, std::uint64_t trial) {
  if (patterns == 0) throw ArgumentError("random streams: capacity trials need at least one pattern");
  return {seed, kCapacityTrials.id(patterns - 1, trial)};
}

inline Stream row_split(std::uint64_t seed) { return {seed, kRowSplit.id(0)}; }

// Stage 0 keeps the seed.
constexpr std::uint64_t stage_seed(std::uint64_t seed, std::uint64_t stage) { return seed ^ (kStageSeed * stage); }
inline Stream layer_init(std::uint64_t seed, std::uint64_t stage, std::uint64_t layer) {
  return {stage_seed(seed, stage), kLayerInit.id(layer)};
}

inline Stream chain_start(std::uint64_t seed) { return {seed, kChainStart.id(0)}; }
inline Stream binarized_batch(std::uint64_t seed, std::uint64_t step) { return {seed, kBinarizedBatches.id(step)}; }
inline Stream binarized_split(std::uint64_t seed, std::uint64_t split) { return {seed, kBinarizedSplits.id(split)}; }
inline Stream ais_draw(std::uint64_t seed, std::uint64_t step, AisDraw kind) {
  return {seed, kAisDraws.id(step, static_cast<std::uint64_t>(kind))};
}
inline Stream scored_rows(std::uint64_t seed, ScoredSplit split) {
  return {seed, kScoredRows.id(static_cast<std::uint64_t>(split))};
}
inline Stream shuffle(std::uint64_t seed, std::uint64_t epoch) { return {seed, kShuffle.id(epoch)}; }

}  // namespace gibbs::random::streams
