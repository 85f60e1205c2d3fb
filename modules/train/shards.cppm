// gibbs.train:shards — data-parallel training (gibbs::Shard): a minibatch's step cut into a fixed
// number of shards, which the processes of a Team share, passing each other their shards'
// gradients and sharded state, so that every process adds the same gradients in the same order.
module;
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>
export module gibbs.train:shards;
import gibbs.core;
import gibbs.plugin;

export namespace gibbs::train {

// The processes that train one model together (MPI ranks): rank() of size().
class Team {
 public:
  virtual ~Team() = default;
  virtual std::size_t rank() const = 0;
  virtual std::size_t size() const = 0;
  // Every rank's `mine` into `all` on every rank, in rank order; rank r gives sizes[r] floats.
  virtual void all_gather(std::span<const float> mine, std::span<float> all, std::span<const std::size_t> sizes) = 0;
};

// One minibatch step of a model, for EpochRunner. With one shard and no team, the model's own
// train_batch. Otherwise this process computes its shards' gradients (rank r of R: shards
// [r·S/R, (r+1)·S/R)), the team exchanges them with each shard's rows of the sharded state and a
// stop flag, and every process adds the S gradients in shard order and applies the sum.
class ShardedStep {
 public:
  // `team`: null when the process is alone. `stopping`: this process's wish to stop, sent with
  // every exchange. ArgumentError when the team's size does not divide `shards`.
  ShardedStep(Model& model, std::size_t shards, Team* team, std::function<bool()> stopping);

  double operator()(const Examples& batch, std::uint64_t step);

  // Whether some process wished to stop at the last exchange (all agree); without a team, the
  // local wish.
  bool stop_agreed() const;
  std::size_t shards() const { return shards_; }
  std::size_t team_size() const { return team_ != nullptr ? team_->size() : 1; }
  // Bytes this process received in the last exchange (0 without one).
  std::uint64_t bytes_received() const { return bytes_received_; }

 private:
  // Floats of shard s's part of an exchange: its gradient, its error (a double in two floats)
  // and its rows of each sharded state.
  std::size_t block_size(std::size_t shard, std::span<const MatrixView<float>> state) const;

  Model& model_;
  std::size_t shards_;
  Team* team_;
  std::function<bool()> stopping_;
  bool stop_agreed_ = false;
  std::uint64_t bytes_received_ = 0;
  std::vector<float> sum_, scratch_, mine_, all_;
};

}  // namespace gibbs::train
