// gibbs.train:epoch — shuffle, gather, step.
module;
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>
module gibbs.train;
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.random;

namespace gibbs::train {
namespace {
constexpr std::size_t kGatherRowsPerThread = 16;
}  // namespace

Examples gather(const Examples& from, std::span<const std::size_t> rows, io::Batch& into) {
  into.y.clear();
  into.t.clear();
  // Rows scattered over the whole split wait on memory: the threads wait together.
  for_row_groups(rows.size(), kGatherRowsPerThread, [&](std::size_t first, std::size_t last) {
    for (std::size_t i = first; i < last; ++i)
      std::copy_n(from.x.row(rows[i]).data(), from.x.cols(), into.x.row(i).data());
  });
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!from.y.empty()) into.y.push_back(from.y[rows[i]]);
    if (!from.t.empty()) into.t.push_back(from.t[rows[i]]);
  }
  return {into.x.view().block(0, 0, rows.size(), into.x.cols()), into.y, into.t};
}

EpochRunner::EpochRunner(Model& model, const io::Batch& train, std::size_t batch_size, std::uint64_t seed,
                         bool binarize, Step step)
    : EpochRunner(model, &train, {}, train.x.rows(), train.x.cols(), batch_size, seed, binarize, std::move(step)) {}

EpochRunner::EpochRunner(Model& model, const RankRows& rank_rows, std::size_t batch_size, std::uint64_t seed,
                         bool binarize, Step step)
    : EpochRunner(model, nullptr, rank_rows, rank_rows.reader->split("train").rows,
                  rank_rows.reader->split("train").cols, batch_size, seed, binarize, std::move(step)) {}

EpochRunner::EpochRunner(Model& model, const io::Batch* train, const RankRows& rank_rows, std::size_t rows,
                         std::size_t cols, std::size_t batch_size, std::uint64_t seed, bool binarize, Step step)
    : model_(model),
      train_(train),
      rank_rows_(rank_rows),
      rows_(rows),
      batch_size_(batch_size),
      batches_((rows + batch_size - 1) / batch_size),
      seed_(seed),
      binarize_(binarize),
      step_(step ? std::move(step) : [&model](const Examples& b, std::uint64_t s) { return model.train_batch(b, s); }),
      minibatch_{Matrix<float>(std::min(batch_size, rows), cols), {}, {}},
      binary_(binarize ? minibatch_.x.rows() : 0, cols) {}

// This rank's shards' rows of minibatches [first, batches_) in training order, read at once.
void EpochRunner::read_local(std::span<const std::size_t> order, std::size_t first) {
  const RankRows& r = rank_rows_;
  std::vector<std::size_t> mine;
  for (std::size_t b = first; b < batches_; ++b) {
    const std::size_t begin = b * batch_size_, count = std::min(batch_size_, rows_ - begin);
    for (std::size_t s = r.own_shards().begin; s < r.own_shards().end; ++s) {
      const RowRange range = shard_rows(count, s, r.shards);
      for (std::size_t i = range.begin; i < range.end; ++i) mine.push_back(order[begin + i]);
    }
  }
  local_ = r.reader->read("train", mine);
  local_next_ = 0;
  if (binarize_) check_probabilities(local_.x, r.reader->path().string(), "train", "--binarize stochastic", mine);
}

Examples EpochRunner::minibatch(std::span<const std::size_t> rows) {
  if (train_ != nullptr) return gather({train_->x, train_->y, train_->t}, rows, minibatch_);
  const RankRows& r = rank_rows_;
  const std::size_t count = rows.size(), cols = minibatch_.x.cols();
  // The other ranks' rows stay as they were: this rank's shards never read them.
  minibatch_.y.resize(local_.y.empty() ? 0 : count);
  minibatch_.t.resize(local_.t.empty() ? 0 : count);
  for (std::size_t s = r.own_shards().begin; s < r.own_shards().end; ++s) {
    const RowRange range = shard_rows(count, s, r.shards);
    for (std::size_t i = range.begin; i < range.end; ++i, ++local_next_) {
      std::copy_n(local_.x.row(local_next_).data(), cols, minibatch_.x.row(i).data());
      if (!local_.y.empty()) minibatch_.y[i] = local_.y[local_next_];
      if (!local_.t.empty()) minibatch_.t[i] = local_.t[local_next_];
    }
  }
  return {minibatch_.x.view().block(0, 0, count, cols), minibatch_.y, minibatch_.t};
}

double BatchDone::mean_error() const { return errors ? error_sum / static_cast<double>(errors) : NAN; }

BatchDone EpochRunner::run(std::uint64_t epoch, std::size_t first, std::uint64_t& step,
                           const std::function<bool(const BatchDone&)>& after, double error_sum, std::size_t errors) {
  const std::size_t rows = rows_;
  model_.begin_epoch(epoch);
  const std::vector<std::size_t> order = random::permutation(random::streams::shuffle(seed_, epoch), rows);
  if (train_ == nullptr) read_local(order, first);
  const auto start = std::chrono::steady_clock::now();
  BatchDone done{first, batches_, 0, 0, error_sum, errors};
  for (std::size_t b = first; b < batches_; ++b) {
    const std::size_t begin = b * batch_size_, count = std::min(batch_size_, rows - begin);
    Examples batch = minibatch(std::span(order).subspan(begin, count));
    if (binarize_) {
      const MatrixView<float> drawn = binary_.view().block(0, 0, count, binary_.cols());
      random::bernoulli(random::streams::binarized_batch(seed_, step), 0, batch.x, drawn);
      batch.x = drawn;
    }
    const double error = step_(batch, step);
    ++step;
    if (std::isfinite(error)) done.error_sum += error, ++done.errors;
    done.batch = b + 1;
    done.rows += count;
    done.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (after && after(done)) break;
  }
  return done;
}

}  // namespace gibbs::train
