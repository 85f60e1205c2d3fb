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

Examples gather(const Examples& from, std::span<const std::size_t> rows, io::Batch& into) {
  into.y.clear();
  into.t.clear();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(from.x.row(rows[i]).data(), from.x.cols(), into.x.row(i).data());
    if (!from.y.empty()) into.y.push_back(from.y[rows[i]]);
    if (!from.t.empty()) into.t.push_back(from.t[rows[i]]);
  }
  return {into.x.view().block(0, 0, rows.size(), into.x.cols()), into.y, into.t};
}

EpochRunner::EpochRunner(Model& model, const io::Batch& train, std::size_t batch_size, std::uint64_t seed,
                         bool binarize, Step step)
    : model_(model),
      train_(train),
      batch_size_(batch_size),
      batches_((train.x.rows() + batch_size - 1) / batch_size),
      seed_(seed),
      binarize_(binarize),
      step_(step ? std::move(step) : [&model](const Examples& b, std::uint64_t s) { return model.train_batch(b, s); }),
      minibatch_{Matrix<float>(std::min(batch_size, train.x.rows()), train.x.cols()), {}, {}},
      binary_(binarize ? minibatch_.x.rows() : 0, train.x.cols()) {}

double BatchDone::mean_error() const { return errors ? error_sum / static_cast<double>(errors) : NAN; }

BatchDone EpochRunner::run(std::uint64_t epoch, std::size_t first, std::uint64_t& step,
                           const std::function<bool(const BatchDone&)>& after, double error_sum, std::size_t errors) {
  const std::size_t rows = train_.x.rows();
  model_.begin_epoch(epoch);
  const std::vector<std::size_t> order = random::permutation(random::streams::shuffle(seed_, epoch), rows);
  const auto start = std::chrono::steady_clock::now();
  BatchDone done{first, batches_, 0, 0, error_sum, errors};
  for (std::size_t b = first; b < batches_; ++b) {
    const std::size_t begin = b * batch_size_, count = std::min(batch_size_, rows - begin);
    Examples batch = gather({train_.x, train_.y, train_.t}, std::span(order).subspan(begin, count), minibatch_);
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
