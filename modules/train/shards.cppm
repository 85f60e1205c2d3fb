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
  // To each rank j, the next to[j] floats of `send` (rank order); from each rank i, from[i] floats
  // into `receive`, in rank order.
  virtual void all_to_all(std::span<const float> send, std::span<const std::size_t> to, std::span<float> receive,
                          std::span<const std::size_t> from) = 0;
};

// One minibatch step of a model, for EpochRunner. With one shard and no team, the model's own
// train_batch. Otherwise this process computes its shards' gradients (several at once on as many
// threads when the model has scratch for them, Model::shard_slots; rank r of R: shards
// [r·S/R, (r+1)·S/R)); with a team, rank j receives slice j of every shard's gradient and adds
// them in shard order, then every rank receives every summed slice with each shard's rows of the
// sharded state and each rank's stop flag (two ranks of one shard each: every rank receives the
// other's whole gradient instead); every process applies the same sum.
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
  // The most shards this process (a rank: of its own) has computed at once, on as many threads.
  std::size_t most_at_once() const { return most_at_once_; }
  // Bytes this process received in the last minibatch's exchanges (0 without one): about
  // (S/R + 1)·(R − 1)/R gradients, and one gradient for S = R = 2.
  std::uint64_t bytes_received() const { return bytes_received_; }

 private:
  // Floats of shard s's part of the second exchange: its error (a double in two floats) and its
  // rows of each sharded state.
  std::size_t block_size(std::size_t shard, std::span<const MatrixView<float>> state) const;
  // Shard `shard`'s gradient of `batch` into `into`, in the model's scratch `slot`; its share of
  // the batch error.
  double compute(const Examples& batch, std::uint64_t step, std::size_t shard, std::span<float> into,
                 std::size_t slot = 0);
  void add(std::size_t shard, std::span<const float> part, std::size_t at);
  // The shards' gradients summed into sum_ (sized already): every shard here, or this rank's
  // shards and the exchanges. Each returns the batch error. Alone, the shards go in waves of one
  // a slot (slots_for), each wave's gradients then added in shard order, slices in parallel: the
  // same bits for any number of slots, with as many gradients kept as slots.
  double sum_alone(const Examples& batch, std::uint64_t step);
  // How many of `shards` shards this process computes at once: the threads it may use, as far as
  // the model has slots for them (Model::shard_slots, called here before every minibatch).
  std::size_t slots_for(std::size_t shards);
  // Shards [first, first + count) into out (count gradients, in order) and their error shares:
  // on `slots` threads at once, or one after another.
  void compute_shards(const Examples& batch, std::uint64_t step, std::size_t first, std::size_t count,
                      std::size_t slots, std::span<float> out, std::span<double> shares);
  double sum_over_ranks(const Examples& batch, std::uint64_t step);

  Model& model_;
  std::size_t shards_;
  Team* team_;
  std::function<bool()> stopping_;
  bool stop_agreed_ = false;
  std::uint64_t bytes_received_ = 0;
  std::size_t most_at_once_ = 1;
  std::vector<float> sum_, scratch_, mine_, send_, all_;
  std::vector<double> shares_;
};

}  // namespace gibbs::train
