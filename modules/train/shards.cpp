// gibbs.train:shards — the sharded step: compute, exchange, add in shard order, apply.
module;
#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

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
  std::size_t size = kErrorFloats;
  for (const MatrixView<float>& m : state) size += shard_rows(m.rows(), shard, shards_).size() * m.cols();
  return size;
}

double ShardedStep::compute(const Examples& batch, std::uint64_t step, std::size_t shard, std::span<float> into,
                            std::size_t slot) {
  const std::size_t rows = batch.x.rows();
  return model_.shard_gradient(rows_of(batch, shard_rows(rows, shard, shards_)),
                               {.index = shard, .count = shards_, .batch_rows = rows, .slot = slot}, step, into);
}

// Shard `shard`'s part of the gradient into sum_ at `at`: the first shard's copied, the others
// added, so that every element is summed in shard order however the gradient is cut.
void ShardedStep::add(std::size_t shard, std::span<const float> part, std::size_t at) {
  const std::span<float> into = std::span<float>(sum_).subspan(at, part.size());
  if (shard == 0)
    std::ranges::copy(part, into.begin());
  else
    simd::axpy(1.0f, part, into);
}

double ShardedStep::operator()(const Examples& batch, std::uint64_t step) {
  const std::size_t ranks = team_ != nullptr ? team_->size() : 1;
  if (shards_ == 1 && ranks == 1) return model_.train_batch(batch, step);
  sum_.resize(model_.gradient_size());
  const double error = ranks == 1 ? sum_alone(batch, step) : sum_over_ranks(batch, step);
  model_.apply_gradient(sum_, batch.x.rows(), step);
  return error;
}

std::size_t ShardedStep::slots_for(std::size_t shards) {
  const auto threads =
      static_cast<std::size_t>(std::max(1, std::min(thread_count(), tbb::this_task_arena::max_concurrency())));
  if (shards <= 1 || threads <= 1) return 1;
  const std::size_t slots = std::min(model_.shard_slots(std::min(shards, threads)), shards);
  most_at_once_ = std::max(most_at_once_, slots);
  return slots;
}

void ShardedStep::compute_shards(const Examples& batch, std::uint64_t step, std::size_t first, std::size_t count,
                                 std::size_t slots, std::span<float> out, std::span<double> shares) {
  const std::size_t gradient = sum_.size();
  const auto one = [&](std::size_t k, std::size_t slot) {
    shares[k] = compute(batch, step, first + k, out.subspan(k * gradient, gradient), slot);
  };
  if (slots <= 1) {
    for (std::size_t k = 0; k < count; ++k) one(k, 0);
    return;
  }
  // Task w computes shards w, w + slots, ... in the model's slot w, so no slot is ever in use
  // twice, and in a wave (a shard a slot at most) slot w always writes the same part of `out`:
  // a model that computes there in place binds its slot to it once. Whichever thread runs a task
  // changes nothing in the gradients. Each shard runs end to end on that thread, in an arena of
  // one: the model's own parallel loops then run serially there instead of forking and joining
  // across the tasks.
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, slots, 1),
      [&](const tbb::blocked_range<std::size_t>& tasks) {
        thread_local tbb::task_arena alone(1);
        for (std::size_t w = tasks.begin(); w != tasks.end(); ++w)
          alone.execute([&] {
            for (std::size_t k = w; k < count; k += slots) one(k, w);
          });
      },
      tbb::simple_partitioner());
}

double ShardedStep::sum_alone(const Examples& batch, std::uint64_t step) {
  const std::size_t gradient = sum_.size(), slots = slots_for(shards_);
  scratch_.resize(slots * gradient);
  shares_.resize(shards_);
  // In waves of one shard a slot, so that the gradients kept are as many as the slots however
  // many shards there are; each wave's are added to the sum in shard order, slices in parallel
  // (cut as the model's optimiser cuts its update, which then finds its slice in cache).
  for (std::size_t first = 0; first < shards_; first += slots) {
    const std::size_t count = std::min(slots, shards_ - first);
    compute_shards(batch, step, first, count, slots, scratch_, std::span<double>(shares_).subspan(first, count));
    for_element_groups(gradient, [&](std::size_t at, std::size_t end) {
      for (std::size_t k = 0; k < count; ++k)
        add(first + k, std::span<const float>(scratch_).subspan(k * gradient + at, end - at), at);
    });
  }
  double error = shares_[0];
  for (std::size_t s = 1; s < shards_; ++s) error += shares_[s];
  return error;
}

// The sum keeps the one process's additions: rank j receives slice j of every shard's gradient
// (shard_rows(gradient, j, R)) and adds them in shard order; then every rank receives every summed
// slice, with each shard's error and sharded state rows and each rank's stop flag. With two ranks
// of one shard each, this gathers as many bytes as one exchange of whole gradients, which every
// rank then adds up: that one exchange is made instead.
double ShardedStep::sum_over_ranks(const Examples& batch, std::uint64_t step) {
  const std::size_t gradient = sum_.size(), ranks = team_->size(), rank = team_->rank();
  const std::size_t per_rank = shards_ / ranks, first = rank * per_rank;
  const std::vector<MatrixView<float>> state = model_.sharded_state();
  const bool by_slices = per_rank * (ranks - 1) > 1;
  const auto slice = [&](std::size_t j) { return by_slices ? shard_rows(gradient, j, ranks) : RowRange{0, gradient}; };
  // Whole gradients go out as they are computed, at the start of send_.
  std::vector<float>& mine = by_slices ? mine_ : send_;
  mine.resize(per_rank * gradient);
  std::vector<double> shares(per_rank);
  compute_shards(batch, step, first, per_rank, slots_for(per_rank), mine, shares);

  bytes_received_ = 0;
  if (by_slices) {
    std::vector<std::size_t> to(ranks), from(ranks, per_rank * slice(rank).size());
    send_.clear();
    for (std::size_t j = 0; j < ranks; ++j) {
      to[j] = per_rank * slice(j).size();
      for (std::size_t k = 0; k < per_rank; ++k)
        send_.insert(send_.end(), mine_.begin() + static_cast<std::ptrdiff_t>(k * gradient + slice(j).begin),
                     mine_.begin() + static_cast<std::ptrdiff_t>(k * gradient + slice(j).end));
    }
    all_.resize(ranks * from[rank]);
    team_->all_to_all(send_, to, all_, from);
    const std::size_t width = slice(rank).size();
    for (std::size_t s = 0; s < shards_; ++s)
      add(s, std::span<const float>(all_).subspan(s * width, width), slice(rank).begin);
    bytes_received_ = (all_.size() - from[rank]) * sizeof(float);
    const std::span<const float> summed = std::span<const float>(sum_).subspan(slice(rank).begin, width);
    send_.assign(summed.begin(), summed.end());
  }

  // Each rank's block: its part of the gradient, then per shard its error and state rows, then
  // its stop flag.
  const auto part_size = [&](std::size_t j) { return by_slices ? slice(j).size() : per_rank * gradient; };
  std::vector<std::size_t> blocks(ranks);
  for (std::size_t j = 0; j < ranks; ++j) {
    blocks[j] = part_size(j) + 1;
    for (std::size_t s = j * per_rank; s < (j + 1) * per_rank; ++s) blocks[j] += block_size(s, state);
  }
  for (std::size_t k = 0; k < per_rank; ++k) {
    const std::size_t at = send_.size();
    send_.resize(at + block_size(first + k, state));
    std::memcpy(send_.data() + at, &shares[k], sizeof(double));
    pack_state(state, first + k, shards_, send_.data() + at + kErrorFloats);
  }
  send_.push_back(stopping_ && stopping_() ? 1.0f : 0.0f);
  std::size_t total = 0;
  for (const std::size_t size : blocks) total += size;
  all_.resize(total);
  team_->all_gather(send_, all_, blocks);
  bytes_received_ += (total - blocks[rank]) * sizeof(float);

  const float* in = all_.data();
  double error = 0;
  stop_agreed_ = false;
  for (std::size_t j = 0; j < ranks; ++j) {
    if (by_slices)
      std::copy_n(in, slice(j).size(), sum_.begin() + static_cast<std::ptrdiff_t>(slice(j).begin));
    else
      for (std::size_t k = 0; k < per_rank; ++k) add(j * per_rank + k, {in + k * gradient, gradient}, 0);
    in += part_size(j);
    for (std::size_t s = j * per_rank; s < (j + 1) * per_rank; ++s) {
      double share = 0;
      std::memcpy(&share, in, sizeof share);
      error = s == 0 ? share : error + share;
      if (j != rank) unpack_state(state, s, shards_, in + kErrorFloats);
      in += block_size(s, state);
    }
    stop_agreed_ = stop_agreed_ || *in++ != 0;
  }
  return error;
}

}  // namespace gibbs::train
