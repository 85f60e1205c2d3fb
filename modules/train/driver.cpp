// gibbs.train: the epoch loop. Everything a resumed run needs to continue exactly is in the
// checkpoint: the model's params and state, the counters train/epoch (epochs completed),
// train/batch (minibatches done in the epoch under way) and train/step (minibatches in all),
// and the history. Shuffles and score samples are functions of the seed alone.
module;
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>
module gibbs.train;
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.random;

namespace gibbs::train {
namespace {

constexpr std::chrono::seconds kSaveInterval{30};

volatile std::sig_atomic_t interrupted = 0;

extern "C" void on_interrupt(int) {
  interrupted = 1;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C stops at once; the last checkpoint is intact
}

// SIGINT sets `interrupted` while a run lasts.
class InterruptGuard {
 public:
  InterruptGuard() : previous_(std::signal(SIGINT, on_interrupt)) { interrupted = 0; }
  ~InterruptGuard() { std::signal(SIGINT, previous_); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*previous_)(int);
};

// Tests stop a run at a chosen minibatch: GIBBS_TEST_INTERRUPT_AT_STEP=N raises SIGINT after
// step N (counted from 1).
std::optional<std::uint64_t> interrupt_test_step() {
  const char* text = std::getenv("GIBBS_TEST_INTERRUPT_AT_STEP");
  if (text == nullptr) return std::nullopt;
  return std::strtoull(text, nullptr, 10);
}

// Rows `rows` of `from` into `into`, whose x has room for them (y and t are refilled, keeping
// their capacity), as Examples.
Examples gather(const io::Batch& from, std::span<const std::size_t> rows, io::Batch& into) {
  into.y.clear();
  into.t.clear();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(from.x.row(rows[i]).data(), from.x.cols(), into.x.row(i).data());
    if (!from.y.empty()) into.y.push_back(from.y[rows[i]]);
    if (!from.t.empty()) into.t.push_back(from.t[rows[i]]);
  }
  return {into.x.view().block(0, 0, rows.size(), into.x.cols()), into.y, into.t};
}

struct Split {
  io::Batch rows;
  io::Batch scored;  // the rows scored after every epoch
};

// `count` of `rows` (all when count is 0 or at least rows) by a seeded permutation, in order.
std::vector<std::size_t> sample_rows(std::size_t rows, std::size_t count, random::Stream stream) {
  std::vector<std::size_t> sample = random::permutation(stream, rows);
  if (count != 0 && count < rows) sample.resize(count);
  std::sort(sample.begin(), sample.end());
  return sample;
}

Split load_split(const io::DatasetReader& reader, const std::string& name, std::size_t monitor, random::Stream stream) {
  Split split;
  split.rows = reader.read_range(name, 0, reader.split(name).rows);
  const std::vector<std::size_t> sample = sample_rows(split.rows.x.rows(), monitor, stream);
  split.scored.x = Matrix<float>(sample.size(), split.rows.x.cols());
  gather(split.rows, sample, split.scored);
  return split;
}

Examples examples(const io::Batch& batch) { return {batch.x, batch.y, batch.t}; }

std::uint64_t counter(const io::Checkpoint& c, const std::string& name) {
  const auto it = c.counters.find(name);
  return it == c.counters.end() ? 0 : it->second;
}

std::uint64_t positive(const Config& config, const std::string& name) {
  const std::int64_t value = config_int(config, name);
  if (value < 1) throw ArgumentError(fmt::format("--{} must be at least 1 (got {})", name, value));
  return static_cast<std::uint64_t>(value);
}

}  // namespace

Report train(Run& run, std::ostream& log) {
  Model& model = run.model;
  const Config& config = run.config;
  const std::uint64_t epochs = positive(config, "epochs"), batch_size = positive(config, "batch-size");
  const auto seed = static_cast<std::uint64_t>(config_int(config, "seed"));
  const double tol = config_float(config, "tol");
  const std::int64_t monitor = config_int(config, "monitor");
  if (monitor < 0) throw ArgumentError(fmt::format("--monitor must be 0 (all rows) or more (got {})", monitor));
  if (!(tol >= 0)) throw ArgumentError(fmt::format("--tol must be 0 (never stop early) or positive (got {})", tol));
  const std::filesystem::path data_path = config_string(config, "data");

  const io::DatasetReader reader(data_path);
  const Split train = load_split(reader, "train", static_cast<std::size_t>(monitor),
                                 random::streams::scored_rows(seed, random::streams::ScoredSplit::train));
  std::optional<Split> test;
  if (reader.has_split("test"))
    test = load_split(reader, "test", static_cast<std::size_t>(monitor),
                      random::streams::scored_rows(seed, random::streams::ScoredSplit::test));
  const std::size_t rows = train.rows.x.rows();
  if (rows == 0) throw FormatError(data_path.string(), "the train split has no rows");

  io::Checkpoint checkpoint;
  if (run.resumed) {
    checkpoint = *run.resumed;
    checkpoint.config = config;  // options given again replace the checkpoint's
    model.restore(checkpoint);
  } else {
    model.initialize(config, reader.info(), examples(train.rows), seed);
  }
  if (model.input_size() != train.rows.x.cols())
    throw FormatError(data_path.string(), fmt::format("rows of {} values, but the {} model takes {}", train.rows.x.cols(),
                                                      run.model_name, model.input_size()));
  checkpoint.model = run.model_name;
  checkpoint.plugin_version = run.plugin_version;
  checkpoint.engine_version.clear();
  checkpoint.seed = seed;
  checkpoint.config = config;
  if (checkpoint.created.empty()) checkpoint.created = io::utc_now();

  std::uint64_t epoch = counter(checkpoint, "train/epoch"), step = counter(checkpoint, "train/step");
  std::size_t first_batch = counter(checkpoint, "train/batch");
  const std::size_t batches = (rows + batch_size - 1) / batch_size;
  if (counter(checkpoint, "train/finished") != 0) {
    log << fmt::format("{}: finished after epoch {} (the model's stopping condition); nothing to train\n",
                       run.output.string(), epoch);
    return {Outcome::nothing_to_do, epoch};
  }
  if (counter(checkpoint, "train/converged") != 0 && tol > 0) {
    log << fmt::format("{}: converged after epoch {} (--tol {}); give --tol 0 to train on\n", run.output.string(), epoch, tol);
    return {Outcome::nothing_to_do, epoch};
  }
  checkpoint.counters["train/converged"] = 0;
  if (epoch >= epochs) {
    log << fmt::format("{}: already trained for {} epochs; give --epochs N (the total) to train on\n",
                       run.output.string(), epoch);
    return {Outcome::nothing_to_do, epoch};
  }

  const auto save = [&](std::uint64_t epochs_done, std::size_t batch) {
    checkpoint.counters["train/epoch"] = epochs_done;
    checkpoint.counters["train/batch"] = batch;
    checkpoint.counters["train/step"] = step;
    model.save(checkpoint);
    io::save_checkpoint(checkpoint, run.output);
  };

  auto last_save = std::chrono::steady_clock::now();
  const InterruptGuard guard;
  const std::optional<std::uint64_t> interrupt_at = interrupt_test_step();
  ProgressLine progress(::isatty(STDERR_FILENO) == 1);
  io::Batch minibatch{Matrix<float>(batch_size, train.rows.x.cols()), {}, {}};
  for (; epoch < epochs; ++epoch, first_batch = 0) {
    model.begin_epoch(epoch);
    const std::vector<std::size_t> order = random::permutation(random::streams::shuffle(seed, epoch), rows);
    const auto start = std::chrono::steady_clock::now();
    double error_sum = 0;
    std::size_t error_count = 0;
    for (std::size_t b = first_batch; b < batches; ++b) {
      const std::size_t first = b * batch_size, count = std::min<std::size_t>(batch_size, rows - first);
      const double error = model.train_batch(gather(train.rows, std::span(order).subspan(first, count), minibatch), step);
      ++step;
      if (std::isfinite(error)) error_sum += error, ++error_count;
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double rate = seconds > 0 ? static_cast<double>((b + 1 - first_batch) * batch_size) / seconds : 0;
      const double remaining = static_cast<double>((batches - b - 1) * batch_size + (epochs - epoch - 1) * rows);
      progress.update(epoch + 1, epochs, b + 1, batches, rate, rate > 0 ? remaining / rate : 0,
                      error_count ? error_sum / static_cast<double>(error_count) : NAN);
      if (interrupt_at && step == *interrupt_at) std::raise(SIGINT);
      if (interrupted && b + 1 < batches) {
        save(epoch, b + 1);
        progress.clear();
        log << fmt::format("interrupted in epoch {}, after minibatch {} of {}: saved {}\n", epoch + 1, b + 1, batches,
                           run.output.string());
        return {Outcome::interrupted, epoch};
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::size_t trained = rows - std::min(rows, first_batch * batch_size);
    const Metrics scores = model.evaluate(examples(train.scored), epoch);
    Metrics test_scores;
    if (test) test_scores = model.evaluate(examples(test->scored), epoch);

    auto& history = checkpoint.history;
    history["epoch"].push_back(static_cast<double>(epoch + 1));
    history["seconds"].push_back(seconds);
    history["images_per_second"].push_back(seconds > 0 ? static_cast<double>(trained) / seconds : 0);
    std::string line = fmt::format("epoch {}/{}  {:.2f} s  {:.0f} img/s", epoch + 1, epochs, seconds,
                                   history["images_per_second"].back());
    for (const Metric& m : scores) {
      history[m.name].push_back(m.value);
      line += fmt::format("  {} {:.6g}", m.name, m.value);
    }
    for (const Metric& m : test_scores) {
      history["test_" + m.name].push_back(m.value);
      line += fmt::format("  test_{} {:.6g}", m.name, m.value);
    }
    progress.clear();
    log << line << '\n' << std::flush;

    // The model's own stop (finished) is judged on the whole training split.
    bool finished = model.finished(scores);
    if (finished && train.scored.x.rows() < rows) finished = model.finished(model.evaluate(examples(train.rows), epoch));
    if (finished) checkpoint.counters["train/finished"] = 1;
    bool converged = false;
    if (tol > 0) {
      const std::vector<double>& series = history[model.stopping_metric()];
      converged = series.size() >= 2 && std::abs(series[series.size() - 1] - series[series.size() - 2]) < tol;
    }
    checkpoint.counters["train/converged"] = converged ? 1 : 0;
    // A checkpoint costs an fsync: after the last epoch, on a stop, and at most every 30 s between.
    if (epoch + 1 == epochs || converged || finished || interrupted || std::chrono::steady_clock::now() - last_save > kSaveInterval) {
      save(epoch + 1, 0);
      last_save = std::chrono::steady_clock::now();
    }
    if (finished) {
      log << fmt::format("finished: the model's stopping condition holds on the training split; saved {}\n",
                         run.output.string());
      return {Outcome::converged, epoch + 1};
    }
    if (converged) {
      log << fmt::format("converged: {} changed by less than {} (--tol); saved {}\n", model.stopping_metric(), tol,
                         run.output.string());
      return {Outcome::converged, epoch + 1};
    }
    if (interrupted) {
      log << fmt::format("interrupted after epoch {}: saved {}\n", epoch + 1, run.output.string());
      return {Outcome::interrupted, epoch + 1};
    }
  }
  log << fmt::format("saved {}\n", run.output.string());
  return {Outcome::finished, epoch};
}

}  // namespace gibbs::train
