// gibbs.train: train(), the epoch runner and the rules composed. Everything a resumed run needs to
// continue exactly is in the checkpoint: the model's params and state, the counters train/epoch
// (epochs completed), train/batch (minibatches done in the epoch under way) and train/step
// (minibatches in all), and the history. Shuffles and score samples are functions of the seed.
module;
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
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
import gibbs.simd;

namespace gibbs::train {
namespace {

// A split in memory (or, for a rank of data-parallel training that reads only its own rows, just
// its size), and its rows scored after every epoch. With --binarize stochastic the scores and
// log-likelihoods are measured on the split drawn once as 0/1 by the run's seed (as gibbs data
// binarize --stochastic draws it), while each minibatch is drawn afresh.
struct Split {
  std::string name;
  std::size_t count = 0;  // its rows in the file
  io::Batch rows;         // all of them, when `whole`
  Matrix<float> drawn;    // --binarize stochastic: the split drawn once
  io::Batch scored;
  ConstView<float> measured() const { return drawn.rows() != 0 ? drawn.view() : rows.x.view(); }
};

// `count` of `rows` (all when count is 0 or at least rows) by a seeded permutation, in order.
std::vector<std::size_t> sample_rows(std::size_t rows, std::size_t count, random::Stream stream) {
  std::vector<std::size_t> sample = random::permutation(stream, rows);
  if (count != 0 && count < rows) sample.resize(count);
  std::sort(sample.begin(), sample.end());
  return sample;
}

Split load_split(const io::DatasetReader& reader, const std::string& name, std::size_t monitor, random::Stream stream,
                 std::optional<std::uint64_t> binarize_seed, bool whole) {
  Split split{name, reader.split(name).rows, {}, {}, {}};
  const std::vector<std::size_t> sample = sample_rows(split.count, monitor, stream);
  const std::string need = "--binarize stochastic";
  const auto place = static_cast<std::size_t>(std::ranges::find(reader.splits(), name, &io::SplitInfo::name) -
                                              reader.splits().begin());
  if (!whole) {
    split.scored = reader.read(name, sample);
    if (binarize_seed) {
      check_probabilities(split.scored.x, reader.path().string(), name, need, sample);
      binarize_split(split.scored.x, split.scored.x, *binarize_seed, place, sample);
    }
    return split;
  }
  split.rows = reader.read_range(name, 0, split.count);
  if (binarize_seed) {
    check_probabilities(split.rows.x, reader.path().string(), name, need);
    split.drawn = Matrix<float>(split.rows.x.rows(), split.rows.x.cols());
    binarize_split(split.rows.x, split.drawn, *binarize_seed, place);
  }
  split.scored.x = Matrix<float>(sample.size(), split.rows.x.cols());
  gather({split.measured(), split.rows.y, split.rows.t}, sample, split.scored);
  return split;
}

Examples examples(const io::Batch& batch) { return {batch.x, batch.y, batch.t}; }

std::uint64_t counter(const io::Checkpoint& c, const std::string& name) {
  const auto it = c.counters.find(name);
  return it == c.counters.end() ? 0 : it->second;
}

// The epoch's scores into the history, and its log line.
std::string record_epoch(io::Checkpoint& checkpoint, std::uint64_t epoch, std::uint64_t epochs, const BatchDone& done,
                         const Metrics& train, const Metrics& test) {
  auto& history = checkpoint.history;
  history["epoch"].push_back(static_cast<double>(epoch + 1));
  history["seconds"].push_back(done.seconds);
  history["images_per_second"].push_back(done.seconds > 0 ? static_cast<double>(done.rows) / done.seconds : 0);
  std::string line = fmt::format("epoch {}/{}  {:.2f} s  {:.0f} img/s", epoch + 1, epochs, done.seconds,
                                 history["images_per_second"].back());
  // A model whose steps report no error (PCD) records none; a resumed epoch's mean covers its rest.
  if (done.errors > 0) {
    history["batch_error"].push_back(done.mean_error());
    line += fmt::format("  batch_error {:.6g}", done.mean_error());
  }
  for (const Metric& m : train) {
    history[m.name].push_back(m.value);
    line += fmt::format("  {} {:.6g}", m.name, m.value);
  }
  for (const Metric& m : test) {
    history["test_" + m.name].push_back(m.value);
    line += fmt::format("  test_{} {:.6g}", m.name, m.value);
  }
  return line;
}

// `value` as the history's series `name` at `epoch` (0-based), the epochs before it that have
// none holding NaN.
void record_at(std::map<std::string, std::vector<double>>& history, const std::string& name, std::uint64_t epoch,
               double value) {
  std::vector<double>& series = history[name];
  series.resize(epoch, NAN);
  series.push_back(value);
}

// log Z by AIS and each split's mean log-likelihood −F(v) − log Z into the history (NaN when
// not `due`), and their part of the epoch's line.
std::string record_likelihood(io::Checkpoint& checkpoint, std::uint64_t epoch, bool due, const Model& model,
                              std::span<const Split* const> splits, const PartitionSettings& settings) {
  auto& history = checkpoint.history;
  const auto series = [](const Split* l) {
    return l->name == "train" ? std::string("log_likelihood") : l->name + "_log_likelihood";
  };
  if (!due) {
    record_at(history, "log_partition", epoch, NAN);
    for (const Split* l : splits) record_at(history, series(l), epoch, NAN);
    return {};
  }
  const ConstView<float> train = splits.front()->measured();
  const LogPartition z = model.log_partition({train}, settings);
  record_at(history, "log_partition", epoch, z.log_z);
  std::string line = fmt::format("  log_partition {:.6g} (AIS ±3 s.e. [{:.6g}, {:.6g}])", z.log_z, z.lower, z.upper);
  for (const Split* l : splits) {
    const double mean = -model.mean_free_energy(l->measured()) - z.log_z;
    record_at(history, series(l), epoch, mean);
    line += fmt::format("  {} {:.6g}", series(l), mean);
  }
  return line;
}

// Why the model has diverged after an epoch (its first score, or a parameter, is not finite), or
// empty.
std::string divergence(const Model& model, const Metrics& scores) {
  if (!scores.empty() && !std::isfinite(scores.front().value))
    return fmt::format("{} is {}", scores.front().name, std::isnan(scores.front().value) ? "NaN" : "infinite");
  io::Checkpoint probe;
  model.save(probe);
  for (const auto& [name, tensor] : probe.params)
    if (!std::ranges::all_of(tensor.values, [](float v) { return std::isfinite(v); }))
      return fmt::format("/params/{} holds a non-finite value", name);
  return {};
}

}  // namespace

std::vector<PluginOption> declared_options(std::uint64_t model_batch_size) {
  std::vector<PluginOption> options = gibbs::declared_options<Options>();
  if (model_batch_size != 0)
    for (PluginOption& o : options)
      if (o.name == "batch-size") o.default_value = std::to_string(model_batch_size);
  return options;
}

Setup setup_of(const Options& options) {
  return {static_cast<std::uint64_t>(options.seed), static_cast<std::size_t>(options.batch_size)};
}

Setup setup_of(const io::Checkpoint& checkpoint) {
  Config config = checkpoint.config;
  config.try_emplace("data", std::string());  // required to train, not to study a model
  Setup setup = setup_of(read_options<Options>(config));
  setup.seed = checkpoint.seed;
  return setup;
}

Report train(Run& run, std::ostream& log) {
  Model& model = run.model;
  const Options options = read_options<Options>(run.config);
  const std::uint64_t stage_epochs = static_cast<std::uint64_t>(options.epochs);
  Setup setup = setup_of(options);
  const std::filesystem::path data_path = options.data;

  const io::DatasetReader reader(data_path);
  const auto monitor = static_cast<std::size_t>(options.monitor);
  const bool binarize = options.binarize == "stochastic";
  const std::optional<std::uint64_t> binarize_seed = binarize ? std::optional(setup.seed) : std::nullopt;
  // A rank of data-parallel training holds the whole split, as one process does, when it takes at
  // most a quarter of the room in the memory budget (or the log-likelihood needs every row); else
  // it reads only its shards' rows, epoch by epoch (EpochRunner's RankRows). Every rank reads
  // the file's chunks either way: the shuffle spreads each rank's rows over all of them.
  const io::SplitInfo& split_info = reader.split("train");
  const bool whole = run.team == nullptr || run.team->size() == 1 || options.log_likelihood_every > 0 ||
                     static_cast<double>(split_info.rows) * static_cast<double>(split_info.cols) * sizeof(float) * 4 <=
                         static_cast<double>(memory_available());
  const random::Stream train_sample = random::streams::scored_rows(setup.seed, random::streams::ScoredSplit::train);
  const Split train = load_split(reader, "train", monitor, train_sample, binarize_seed, whole);
  std::optional<Split> test;
  if (reader.has_split("test"))
    test =
        load_split(reader, "test", monitor,
                   random::streams::scored_rows(setup.seed, random::streams::ScoredSplit::test), binarize_seed, whole);
  const std::size_t rows = train.count, columns = split_info.cols;
  if (rows == 0) throw FormatError(data_path.string(), "the train split has no rows");
  if (test && test->count == 0) throw FormatError(data_path.string(), "the test split has no rows");
  // The whole training split for the model's own stop, judged on every row: a rank reading only
  // its rows reads it then (and a fresh model's initialisation reads it too).
  std::optional<Split> read_whole;
  const auto whole_train = [&]() -> const Split& {
    if (whole) return train;
    if (!read_whole) read_whole = load_split(reader, "train", 0, train_sample, binarize_seed, true);
    return *read_whole;
  };
  setup.batch_size = std::min(setup.batch_size, rows);  // a larger one is the whole split, a full batch
  const auto shards = static_cast<std::size_t>(options.shards);
  if (shards > setup.batch_size)
    throw option_error("shards", fmt::format("must be at most the batch size ({})", setup.batch_size),
                       std::to_string(shards));
  const bool writes = run.team == nullptr || run.team->rank() == 0;

  io::Checkpoint checkpoint;
  if (run.resumed) {
    checkpoint = *run.resumed;
    checkpoint.config = run.config;  // options given again replace the checkpoint's
    try {
      model.restore(checkpoint, setup);
    } catch (const FormatError&) {
      throw;
    } catch (const Error& e) {
      throw FormatError(run.resumed_path.string(),
                        fmt::format("not a usable {} checkpoint: {}", run.model_name, e.what()));
    }
  } else {
    if (whole)
      model.initialize(run.config, reader.info(), examples(train.rows), setup);
    else
      model.initialize(run.config, reader.info(), examples(reader.read_range("train", 0, rows)), setup);
  }
  // A model trained in stages gets --epochs epochs in each, numbered from 0 within it.
  const std::uint64_t stages = model.stages();
  if (stages > 1 && options.tol > 0)
    throw option_error(
        "tol", fmt::format("the {} model trains in {} stages of --epochs each; give --tol 0", run.model_name, stages),
        fmt::format("{}", options.tol));
  if (stage_epochs > UINT64_MAX / stages) throw option_error("epochs", "is too large", std::to_string(stage_epochs));
  if (const io::ConfigValue* before = run.resumed ? find_option(run.resumed->config, "epochs") : nullptr;
      stages > 1 && before != nullptr && option_text(*before) != std::to_string(stage_epochs))
    throw option_error("epochs",
                       fmt::format("is the epochs of each of the {} model's {} stages, which cannot change on resume "
                                   "(the checkpoint's: {})",
                                   run.model_name, stages, option_text(*before)),
                       std::to_string(stage_epochs));
  const std::uint64_t epochs = stage_epochs * stages;
  if (model.input_size() != columns)
    throw FormatError(data_path.string(), fmt::format("rows of {} values, but the {} model takes {}", columns,
                                                      run.model_name, model.input_size()));
  checkpoint.model = run.model_name;
  checkpoint.plugin_version = run.plugin_version;
  checkpoint.engine_version.clear();
  // Some kernels' sums follow the vector width (the dot products' lanes), so a run resumed on
  // another target may not have the bits it would have had.
  const std::string target = simd::current_target().name;
  if (!checkpoint.simd_target.empty() && checkpoint.simd_target != target) {
    const auto targets = simd::available_targets();
    const bool here =
        std::ranges::any_of(targets, [&](const simd::Target& t) { return t.name == checkpoint.simd_target; });
    log << fmt::format(
        "{}: computed so far on the {} target, continued on {}; {}\n", run.output.string(), checkpoint.simd_target,
        target,
        here ? fmt::format("gibbs --simd {} keeps the bits of a run that never stopped", checkpoint.simd_target)
             : "its last bits may differ from a run that never stopped");
  }
  checkpoint.simd_target = target;
  checkpoint.seed = setup.seed;
  checkpoint.config = run.config;
  if (checkpoint.created.empty()) checkpoint.created = io::utc_now();

  std::uint64_t epoch = counter(checkpoint, "train/epoch"), step = counter(checkpoint, "train/step");
  std::size_t first_batch = counter(checkpoint, "train/batch");
  const auto nothing_to_do = [&](const std::string& why) {
    log << fmt::format("{}: {}\n", run.output.string(), why);
    return Report{Outcome::nothing_to_do, epoch, checkpoint.history, model.training_multiply_adds_per_row()};
  };
  if (counter(checkpoint, "train/finished") != 0)
    return nothing_to_do(
        fmt::format("finished after epoch {} (the model's stopping condition); nothing to train", epoch));
  if (counter(checkpoint, "train/converged") != 0 && options.tol > 0)
    return nothing_to_do(
        fmt::format("converged after epoch {} (--tol {}); give --tol 0 to train on", epoch, options.tol));
  checkpoint.counters["train/converged"] = 0;
  if (epoch >= epochs)
    return nothing_to_do(stages > 1 ? fmt::format("already trained for {} epochs, all {} stages", epoch, stages)
                                    : fmt::format("already trained for {} epochs; give --epochs N (the total) to "
                                                  "train on",
                                                  epoch));

  // The epoch under way's error sum (its bits) and count, so that a resumed epoch's batch_error
  // is the uninterrupted one's; absent between epochs.
  double error_sum = std::bit_cast<double>(counter(checkpoint, "train/error_sum"));
  std::size_t errors = counter(checkpoint, "train/errors");
  std::optional<std::uint64_t> saved;  // the epochs in the checkpoint this run last wrote
  const InterruptGuard guard;
  ShardedStep sharded(model, shards, run.team, [&guard] { return guard.interrupted(); });
  if (shards > 1 || sharded.team_size() > 1) (void)model.gradient_size();  // a model that cannot says so now
  const auto save = [&](std::uint64_t epochs_done, std::size_t batch, const BatchDone* partial = nullptr) {
    checkpoint.counters["train/epoch"] = epochs_done;
    checkpoint.counters["train/batch"] = batch;
    checkpoint.counters["train/step"] = step;
    checkpoint.counters.erase("train/error_sum");
    checkpoint.counters.erase("train/errors");
    if (partial != nullptr && partial->errors > 0) {
      checkpoint.counters["train/error_sum"] = std::bit_cast<std::uint64_t>(partial->error_sum);
      checkpoint.counters["train/errors"] = partial->errors;
    }
    if (writes) {
      model.save(checkpoint);
      io::save_checkpoint(checkpoint, run.output);
    }
    saved = epochs_done;
  };
  const auto stop = [&](Outcome outcome, std::uint64_t epochs_done, const std::string& message) {
    if (sharded.team_size() == 1 && shards > 1)
      log << fmt::format("{} shards a minibatch, up to {} computed at once\n", shards, sharded.most_at_once());
    if (sharded.team_size() > 1)
      log << fmt::format(
          "data-parallel: {} ranks, {} shards, each rank {}; each rank received {} bytes per minibatch and computed up "
          "to {} shards at once\n",
          sharded.team_size(), shards,
          whole ? "holding the training split" : "reading its own rows of it epoch by epoch", sharded.bytes_received(),
          sharded.most_at_once());
    log << message << '\n' << std::flush;
    return Report{outcome, epochs_done, checkpoint.history, model.training_multiply_adds_per_row()};
  };

  const auto likelihood_every = static_cast<std::uint64_t>(options.log_likelihood_every);
  std::vector<const Split*> likelihood;
  const PartitionSettings ais = options.ais.settings(setup.seed);
  if (likelihood_every > 0) {
    likelihood = {&train};
    if (test) likelihood.push_back(&*test);
    for (const Split* l : likelihood)
      if (const std::string why = model.likelihood_domain_error(l->measured()); !why.empty())
        throw FormatError(data_path.string(),
                          fmt::format("--log-likelihood-every: the {} split has no log-likelihood under the model: {} "
                                      "(train with --binarize stochastic, or binarise the data: gibbs data binarize)",
                                      l->name, why));
    // A model without a partition function says so now, not after the first epochs: a tiny estimate.
    (void)model.log_partition({train.measured()}, {.ais_runs = 1, .ais_steps = 3, .seed = setup.seed});
  }
  const auto step_of = [&sharded](const Examples& batch, std::uint64_t s) { return sharded(batch, s); };
  std::optional<EpochRunner> runner_store;
  if (whole)
    runner_store.emplace(model, train.rows, setup.batch_size, setup.seed, binarize, step_of);
  else
    runner_store.emplace(model, RankRows{&reader, shards, run.team->size(), run.team->rank()}, setup.batch_size,
                         setup.seed, binarize, step_of);
  EpochRunner& runner = *runner_store;
  const std::size_t batches = runner.batches();
  // A resumed epoch must have minibatches left (a checkpoint's counter may say anything).
  if (first_batch >= batches)
    throw FormatError(
        run.resumed_path.string(),
        fmt::format("its epoch under way is past minibatch {}, and an epoch here has {}", first_batch, batches));
  SaveClock clock(kSaveInterval);
  const std::optional<std::uint64_t> interrupt_at = interrupt_test_step();
  const std::optional<std::uint64_t> kill_at = kill_test_step();
  ProgressLine progress(writes && ::isatty(STDERR_FILENO) == 1);
  std::optional<std::uint64_t> stage_begun;
  for (; epoch < epochs; ++epoch, first_batch = 0) {
    const std::uint64_t stage = epoch / stage_epochs, stage_first_step = stage * stage_epochs * batches;
    if (stage_begun != stage) model.begin_stage(static_cast<std::size_t>(stage)), stage_begun = stage;
    std::uint64_t stage_step = step - stage_first_step;
    const BatchDone done = runner.run(
        epoch % stage_epochs, first_batch, stage_step,
        [&](const BatchDone& d) {
          step = stage_first_step + stage_step;
          const double rate = d.seconds > 0 ? static_cast<double>(d.rows) / d.seconds : 0;
          const double remaining =
              static_cast<double>((batches - d.batch) * setup.batch_size + (epochs - epoch - 1) * rows);
          progress.update(epoch + 1, epochs, d.batch, batches, rate, rate > 0 ? remaining / rate : 0, d.mean_error());
          if (interrupt_at && step == *interrupt_at) std::raise(SIGINT);
          if (kill_at && step == *kill_at) std::raise(SIGKILL);
          return sharded.stop_agreed() && d.batch < batches;
        },
        error_sum, errors);
    step = stage_first_step + stage_step;
    error_sum = 0, errors = 0;
    if (done.batch < batches) {
      save(epoch, done.batch, &done);
      progress.clear();
      return stop(Outcome::interrupted, epoch,
                  fmt::format("interrupted in epoch {}, after minibatch {} of {}: saved {}", epoch + 1, done.batch,
                              batches, run.output.string()));
    }
    const Metrics scores = model.evaluate(examples(train.scored), epoch % stage_epochs);
    const Metrics test_scores = test ? model.evaluate(examples(test->scored), epoch % stage_epochs) : Metrics{};
    if (const std::string why = divergence(model, scores); !why.empty()) {
      progress.clear();
      throw ArgumentError(fmt::format(
          "training diverged in epoch {}: {}; lower --lr ({})", epoch + 1, why,
          saved ? fmt::format("{} holds the model after epoch {}", run.output.string(), *saved)
          : run.resumed && run.resumed_path == run.output ? fmt::format("{} is as it was", run.output.string())
                                                          : std::string("nothing was written")));
    }
    std::string line = record_epoch(checkpoint, epoch, epochs, done, scores, test_scores);
    if (stages > 1) {
      checkpoint.history["stage"].push_back(static_cast<double>(stage + 1));
      line += fmt::format("  stage {}/{}", stage + 1, stages);
    }
    if (likelihood_every > 0)
      line += record_likelihood(checkpoint, epoch, (epoch + 1) % likelihood_every == 0 || epoch + 1 == epochs, model,
                                likelihood, ais);
    progress.clear();
    log << line << '\n' << std::flush;

    // The model's own stop is judged on the whole training split.
    bool finished = model.finished(scores);
    if (finished && train.scored.x.rows() < rows) {
      const Split& all = whole_train();
      finished = model.finished(model.evaluate({all.measured(), all.rows.y, all.rows.t}, epoch % stage_epochs));
    }
    if (finished) checkpoint.counters["train/finished"] = 1;
    const std::string watched = options.tol == 0                  ? std::string()
                                : options.tol_on == "batch-error" ? "batch_error"
                                                                  : model.stopping_metric();
    const auto series = checkpoint.history.find(watched);
    const bool settled = series != checkpoint.history.end() && within_tolerance(series->second, options.tol);
    checkpoint.counters["train/converged"] = settled ? 1 : 0;
    const bool interrupted = sharded.stop_agreed();
    if (epoch + 1 == epochs || settled || finished || interrupted || clock.due()) {
      save(epoch + 1, 0);
      clock.saved();
    }
    if (finished)
      return stop(Outcome::model_finished, epoch + 1,
                  fmt::format("finished: the model's stopping condition holds on the training split; saved {}",
                              run.output.string()));
    if (settled)
      return stop(Outcome::tolerance_reached, epoch + 1,
                  fmt::format("converged: {} changed by less than {} (--tol); saved {}", watched, options.tol,
                              run.output.string()));
    if (interrupted)
      return stop(Outcome::interrupted, epoch + 1,
                  fmt::format("interrupted after epoch {}: saved {}", epoch + 1, run.output.string()));
  }
  return stop(Outcome::all_epochs, epoch, fmt::format("saved {}", run.output.string()));
}

}  // namespace gibbs::train
