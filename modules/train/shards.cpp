// gibbs.train:shards — the sharded step: compute, exchange, add in shard order, apply.
module;
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <utility>
#include <vector>
module gibbs.train;
import gibbs.core;
import gibbs.plugin;
import gibbs.simd;

namespace gibbs::train {
namespace {

constexpr std::size_t kErrorFloats = sizeof(double) / sizeof(float);

Examples rows_of(const Examples& batch, RowRange rows) {
  return {batch.x.block(rows.begin, 0, rows.size(), batch.x.cols()),
          batch.y.empty() ? batch.y : batch.y.subspan(rows.begin, rows.size()),
          batch.t.empty() ? batch.t : batch.t.subspan(rows.begin, rows.size())};
}

// Shard s's rows of each sharded state into `out`, or from `in` into the state.
void pack_state(std::span<const MatrixView<float>> state, std::size_t s, std::size_t shards, float* out) {
  for (const MatrixView<float>& m : state) {
    const RowRange rows = shard_rows(m.rows(), s, shards);
    for (std::size_t r = rows.begin; r < rows.end; ++r) out = std::ranges::copy(m.row(r), out).out;
  }
}
void unpack_state(std::span<const MatrixView<float>> state, std::size_t s, std::size_t shards, const float* in) {
  for (const MatrixView<float>& m : state) {
    const RowRange rows = shard_rows(m.rows(), s, shards);
    for (std::size_t r = rows.begin; r < rows.end; ++r, in += m.cols()) std::copy_n(in, m.cols(), m.row(r).data());
  }
}

}  // namespace

ShardedStep::ShardedStep(Model& model, std::size_t shards, Team* team, std::function<bool()> stopping)
    : model_(model), shards_(shards), team_(team), stopping_(std::move(stopping)) {
  if (shards_ == 0) throw ArgumentError("the shard count must be at least 1");
  if (team_ != nullptr && shards_ % team_->size() != 0)
    throw option_error("shards",
                       fmt::format("must be a multiple of the {} MPI ranks, each computing the same number of shards "
                                   "(give --shards {} or a multiple)",
                                   team_->size(), team_->size()),
                       std::to_string(shards_));
}

bool ShardedStep::stop_agreed() const { return team_ != nullptr ? stop_agreed_ : stopping_ && stopping_(); }

std::size_t ShardedStep::block_size(std::size_t shard, std::span<const MatrixView<float>> state) const {
  std::size_t size = model_.gradient_size() + kErrorFloats;
  for (const MatrixView<float>& m : state) size += shard_rows(m.rows(), shard, shards_).size() * m.cols();
  return size;
}

double ShardedStep::operator()(const Examples& batch, std::uint64_t step) {
  const std::size_t ranks = team_ != nullptr ? team_->size() : 1;
  if (shards_ == 1 && ranks == 1) return model_.train_batch(batch, step);
  const std::size_t rows = batch.x.rows(), gradient = model_.gradient_size();
  const auto shard = [&](std::size_t s) { return Shard{.index = s, .count = shards_, .batch_rows = rows}; };
  const auto compute = [&](std::size_t s, std::span<float> into) {
    return model_.shard_gradient(rows_of(batch, shard_rows(rows, s, shards_)), shard(s), step, into);
  };
  sum_.resize(gradient);
  double error = 0;
  if (ranks == 1) {
    // Shards one after the other, each added as it comes: the order of the exchange's sum.
    scratch_.resize(gradient);
    for (std::size_t s = 0; s < shards_; ++s) {
      const double share = compute(s, s == 0 ? std::span<float>(sum_) : std::span<float>(scratch_));
      error = s == 0 ? share : error + share;
      if (s > 0) simd::axpy(1.0f, scratch_, sum_);
    }
    model_.apply_gradient(sum_, rows, step);
    return error;
  }

  const std::vector<MatrixView<float>> state = model_.sharded_state();
  const std::size_t per_rank = shards_ / ranks, rank = team_->rank();
  std::vector<std::size_t> sizes(ranks, 1);  // each rank's blocks and its stop flag
  for (std::size_t s = 0; s < shards_; ++s) sizes[s / per_rank] += block_size(s, state);
  std::size_t total = 0;
  for (const std::size_t size : sizes) total += size;
  mine_.resize(sizes[rank]);
  all_.resize(total);
  float* out = mine_.data();
  for (std::size_t s = rank * per_rank; s < (rank + 1) * per_rank; ++s) {
    const double share = compute(s, {out, gradient});
    std::memcpy(out + gradient, &share, sizeof share);
    pack_state(state, s, shards_, out + gradient + kErrorFloats);
    out += block_size(s, state);
  }
  *out = stopping_ && stopping_() ? 1.0f : 0.0f;
  team_->all_gather(mine_, all_, sizes);
  bytes_received_ = (total - sizes[rank]) * sizeof(float);

  const float* in = all_.data();
  stop_agreed_ = false;
  for (std::size_t s = 0; s < shards_; ++s) {
    const std::span<const float> g(in, gradient);
    if (s == 0)
      std::ranges::copy(g, sum_.begin());
    else
      simd::axpy(1.0f, g, sum_);
    double share = 0;
    std::memcpy(&share, in + gradient, sizeof share);
    error = s == 0 ? share : error + share;
    if (s / per_rank != rank) unpack_state(state, s, shards_, in + gradient + kErrorFloats);
    in += block_size(s, state);
    if ((s + 1) % per_rank == 0) stop_agreed_ = stop_agreed_ || *in++ != 0;
  }
  model_.apply_gradient(sum_, rows, step);
  return error;
}

}  // namespace gibbs::train
