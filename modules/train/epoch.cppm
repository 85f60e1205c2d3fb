// gibbs.train:epoch — the epoch runner: each epoch's shuffle of the training rows, minibatches
// gathered in that order, and the model's step on each. `gibbs train` and `gibbs bench` both
// train through it.
module;
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
export module gibbs.train:epoch;
import gibbs.core;
import gibbs.io;
import gibbs.plugin;

export namespace gibbs::train {

// Where an epoch stands after a minibatch.
struct BatchDone {
  std::size_t batch = 0;    // minibatches of the epoch done, counting any before a resume
  std::size_t batches = 0;  // in the whole epoch
  std::size_t rows = 0;     // trained in this call
  double seconds = 0;       // since this call started
  double error_sum = 0;     // of the model's finite per-batch errors in the epoch, and their count
  std::size_t errors = 0;
  double mean_error() const;  // NaN: none
};

// A rank of data-parallel training (ShardedStep) that keeps only its own rows: the runner reads,
// at the start of each epoch, the rows of this rank's shards of the epoch's minibatches from the
// file, and fills only those rows of each minibatch.
struct RankRows {
  const io::DatasetReader* reader = nullptr;  // its "train" split
  std::size_t shards = 1, ranks = 1, rank = 0;
  RowRange own_shards() const { return shard_rows(shards, rank, ranks); }  // as ShardedStep deals them
};

class EpochRunner {
 public:
  // `train` is the whole training split; it must outlive the runner. With `binarize`, each
  // minibatch's values are drawn as Bernoulli(value) (random::streams::binarized_batch of its step).
  // `step` trains one minibatch (default: the model's train_batch; data-parallel: ShardedStep).
  using Step = std::function<double(const Examples& batch, std::uint64_t step)>;
  EpochRunner(Model& model, const io::Batch& train, std::size_t batch_size, std::uint64_t seed, bool binarize = false,
              Step step = {});
  // A rank's runner: `train` is not used, the rows are read through `rank_rows`.
  EpochRunner(Model& model, const RankRows& rank_rows, std::size_t batch_size, std::uint64_t seed, bool binarize,
              Step step);

  std::size_t batches() const { return batches_; }  // per epoch; the last may be short

  // Trains minibatches [first, batches()) of epoch `epoch` (0-based) in the epoch's shuffled
  // order, `step` counting minibatches from the start of training; the errors of the minibatches
  // before `first` (a resumed epoch) are `error_sum` over `errors`. After each minibatch,
  // `after`, when given, may return true to stop there. Returns the state after the last one.
  BatchDone run(std::uint64_t epoch, std::size_t first, std::uint64_t& step,
                const std::function<bool(const BatchDone&)>& after = {}, double error_sum = 0, std::size_t errors = 0);

 private:
  // The minibatch of `rows` in training order: gathered from train_, or this rank's rows filled
  // from local_ (read by read_local for the epoch) at local_next_ on.
  Examples minibatch(std::span<const std::size_t> rows);
  void read_local(std::span<const std::size_t> order, std::size_t first);

  EpochRunner(Model& model, const io::Batch* train, const RankRows& rank_rows, std::size_t rows, std::size_t cols,
              std::size_t batch_size, std::uint64_t seed, bool binarize, Step step);

  Model& model_;
  const io::Batch* train_;  // null for a rank's runner
  RankRows rank_rows_;
  io::Batch local_;
  std::size_t local_next_ = 0;
  std::size_t rows_, batch_size_, batches_;
  std::uint64_t seed_;
  bool binarize_;
  Step step_;
  io::Batch minibatch_;
  Matrix<float> binary_;
};

// Rows `rows` of `from` into `into`, whose x has room for them (y and t are refilled, keeping
// their capacity), as Examples.
Examples gather(const Examples& from, std::span<const std::size_t> rows, io::Batch& into);

}  // namespace gibbs::train
