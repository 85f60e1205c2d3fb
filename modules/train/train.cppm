// gibbs.train: the training driver. An epoch runner (shuffle, gather, step: epoch.cppm) and small
// rules around it (rules.cppm: stop on a tolerance, stop when the model is finished, save every
// 30 s, stop on SIGINT; progress.cppm: the live line) make up train(): it loads the data, runs
// the epochs, scores a fixed sample of the training and test splits after each into the history,
// and writes the checkpoint atomically, so that a resumed run equals one never stopped.
module;
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>
export module gibbs.train;
export import :progress;
export import :epoch;
export import :rules;
export import :binarize;
export import :shards;
import gibbs.core;
import gibbs.io;
import gibbs.plugin;

export namespace gibbs::train {

// The driver's options, kept beside the model's in the Config and /config.
struct Options {
  std::string data;
  std::int64_t epochs = 0, batch_size = 0, seed = 0;
  double tol = 0;
  std::string tol_on;
  std::int64_t monitor = 0;
  std::string binarize;
  std::int64_t log_likelihood_every = 0;
  PartitionOptions ais;
  std::int64_t shards = 0;

  template <class V>
  void for_each(V& v) {
    v(data, "data", "", "the dataset (a gibbs-dataset HDF5 file)", required());
    v(epochs, "epochs", 10,
      "total epochs, counting those a resumed checkpoint already has (of a model trained in stages, such as dbn: each "
      "stage's)",
      at_least(1));
    v(batch_size, "batch-size", kDefaultBatchSize,
      "rows per minibatch (1: per-sample updates; the training set's size: full batch)", at_least(1));
    v(seed, "seed", 0, "seed of every random draw", non_negative());
    v(tol, "tol", 0.0, "stop when the model's stopping metric changes by less than X between epochs (0: never)",
      non_negative());
    v(tol_on, "tol-on", "score",
      "what --tol watches: score (the stopping metric on the monitored training rows after the epoch) or "
      "batch-error (the epoch's running mean of the minibatch errors, as the course notebook)",
      one_of({"score", "batch-error"}));
    v(monitor, "monitor", 2000, "rows of the train and test splits scored after every epoch (0: all)", non_negative());
    v(binarize, "binarize", "none",
      "none, or stochastic: each minibatch's values (in [0, 1]) drawn as Bernoulli(value) afresh every epoch",
      one_of({"none", "stochastic"}));
    v(log_likelihood_every, "log-likelihood-every", 0,
      "every N epochs and after the last, the mean log-likelihood of the whole train and test splits by AIS (the "
      "run's --seed; binarised once by it with --binarize stochastic) into the history (0: never)",
      non_negative());
    ais.for_each(v);
    v(shards, "shards", 1,
      "data-parallel: each minibatch cut into N shards whose gradients are added in shard order (the same bits in "
      "one process and under mpirun -np R for any R dividing N)",
      in_range(1, 65'536, false));
  }
  static constexpr std::int64_t kDefaultBatchSize = 64;  // for a model that names none
};

// The driver's options as declared, --batch-size's default being the model's (when not 0).
std::vector<PluginOption> declared_options(std::uint64_t model_batch_size);

// What the driver tells the model, from the options; or as a checkpoint was trained, for the
// commands that study it.
Setup setup_of(const Options& options);
Setup setup_of(const io::Checkpoint& checkpoint);

struct Run {
  Model& model;
  std::string model_name;
  std::string plugin_version;
  Config config;                          // complete: every option of the model and the driver
  std::filesystem::path output;           // the checkpoint
  std::optional<io::Checkpoint> resumed;  // the checkpoint to continue (config already merged)
  std::filesystem::path resumed_path;     // the file it was read from
  Team* team = nullptr;                   // data-parallel over MPI ranks: rank 0 alone writes and logs
};

enum class Outcome {
  all_epochs,         // ran up to --epochs
  tolerance_reached,  // --tol: the stopping metric changed by less between two epochs
  model_finished,     // the model's own stopping condition (Model::finished)
  interrupted,        // SIGINT: saved mid-way, to be resumed
  nothing_to_do,      // the checkpoint was already done
};

struct Report {
  Outcome outcome;
  std::uint64_t epochs = 0;                            // completed epochs in the checkpoint
  std::map<std::string, std::vector<double>> history;  // the checkpoint's, as saved
  double multiply_adds_per_row = 0;                    // Model::training_multiply_adds_per_row
};

// Trains and writes run.output. Epoch lines go to `log`; on a terminal a live progress line
// goes to stderr as well. Bad data is a FormatError naming the file.
Report train(Run& run, std::ostream& log);

}  // namespace gibbs::train
