// gibbs.plugin:model — the C++ interface every model plugin implements, and the factory
// functions a plugin puts in its descriptor so that no exception crosses the C edge.
module;
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>
export module gibbs.plugin:model;
import gibbs.core;
import gibbs.io;
import :options;

export namespace gibbs {

// What the training driver tells a model beside its options: the seed of every random draw, and
// the rows of a full minibatch (the last of an epoch may have fewer).
struct Setup {
  std::uint64_t seed = 0;
  std::size_t batch_size = 1;
};

// Rows of a dataset split (or of a minibatch) as a model sees them.
struct Examples {
  ConstView<float> x;
  std::span<const std::int32_t> y = {};  // class labels, when the split has them
  std::span<const float> t = {};         // regression targets, when the split has them
};

struct Metric {
  std::string name;  // e.g. "reconstruction_mse"
  double value;
};
using Metrics = std::vector<Metric>;

// How log_partition works: exactly (small models), or by annealed importance sampling.
struct PartitionSettings {
  bool exact = false;
  std::size_t ais_runs = 100;
  std::size_t ais_steps = 14'500;  // the schedule's steps (14,500: Salakhutdinov & Murray's)
  std::uint64_t seed = 0;
};

// The AIS options, declared once for gibbs eval --log-likelihood and gibbs train
// --log-likelihood-every.
struct PartitionOptions {
  std::int64_t ais_runs = 0, ais_betas = 0;

  template <class V>
  void for_each(V& v) {
    v(ais_runs, "ais-runs", 100, "AIS: annealing runs", at_least(1));
    v(ais_betas, "ais-betas", 14'500,
      "AIS: steps of the β schedule (14500: 1e-3 on [0, 0.5], 1e-4 on [0.5, 0.9], 1e-5 on [0.9, 1])",
      in_range(1, 10'000'000, false));
  }
  PartitionSettings settings(std::uint64_t seed) const {
    return {.exact = false,
            .ais_runs = static_cast<std::size_t>(ais_runs),
            .ais_steps = static_cast<std::size_t>(ais_betas),
            .seed = seed};
  }
};

// Data-parallel training (gibbs train --shards S, in one process or over MPI ranks): each minibatch
// of B rows is cut into S shards of consecutive rows, shard s holding rows shard_rows(B, s, S).
// Each shard's gradient is computed on its own, by whichever process holds the shard, from the
// model as it was before the minibatch; the S gradients are added in shard order, and every
// process updates its copy of the model with the sum. So the bits depend on S, never on how many
// processes or threads share the shards.
struct Shard {
  std::size_t index = 0, count = 1;  // shard `index` of `count`
  std::size_t batch_rows = 0;        // rows of the whole minibatch
  std::size_t slot = 0;              // the scratch to compute in (< what shard_slots granted)
};

// Shard s's share [begin, end) of n rows: [s·n/S, (s+1)·n/S). The minibatch's rows are cut so,
// and so is a model's sharded state (its PCD chains).
struct RowRange {
  std::size_t begin = 0, end = 0;
  std::size_t size() const { return end - begin; }
};
constexpr RowRange shard_rows(std::size_t n, std::size_t shard, std::size_t shards) {
  return {shard * n / shards, (shard + 1) * n / shards};
}

// log Z and bounds on it: for AIS log(mean w ∓ 3 s.e.) (lower −∞ when undefined); both log Z
// when exact.
struct LogPartition {
  double log_z = 0, lower = 0, upper = 0;
  bool exact = false;
};

// A model made by a plugin. The training driver (gibbs.train) calls the training half; the
// study commands (eval, reconstruct, sample) the rest. What a model cannot do it leaves to the
// defaults, which throw gibbs::Error "the <name> model cannot <what>".
class Model {
 public:
  virtual ~Model();
  virtual std::string name() const = 0;  // the plugin's name, e.g. "rbm"

  // A fresh model configured by `config` (read with read_options) for data like `train` (the
  // whole training split, in memory; `info` describes the dataset), its random initialisation
  // drawn from setup.seed.
  virtual void initialize(const Config& config, const io::DatasetInfo& info, const Examples& train, const Setup& setup);
  // The model a checkpoint holds, with checkpoint.config as its configuration (the driver
  // merges options given again into it first). Problems are FormatErrors or ArgumentErrors.
  virtual void restore(const io::Checkpoint& checkpoint, const Setup& setup);
  // Writes /params and /state (the driver writes the root attributes, /config and /history).
  virtual void save(io::Checkpoint& checkpoint) const;
  // Values per row the model takes (the width its data must have).
  virtual std::size_t input_size() const;
  // Stages the model trains in, one after the other (a deep belief net: one per layer); default 1.
  // The driver gives each stage --epochs epochs and numbers them, their minibatches (the steps) and
  // their shuffles from 0, as if each stage were a run of its own.
  virtual std::size_t stages() const;
  // Called before any epoch of stage `stage` (0-based) starts or resumes, before begin_epoch.
  virtual void begin_stage(std::size_t stage);
  // Called before epoch `epoch` (0-based, within the stage) starts or resumes: schedules.
  virtual void begin_epoch(std::uint64_t epoch);
  // One minibatch update; `step` counts minibatches from the start of the stage. Returns a
  // cheap measure of the batch's error for the progress line, or NaN.
  virtual double train_batch(const Examples& batch, std::uint64_t step);
  // Data-parallel training (see Shard). Floats in one shard's gradient (fixed within a stage).
  virtual std::size_t gradient_size() const;
  // Shard `shard`'s gradient from its rows `rows` (shard_rows of the minibatch; possibly none)
  // into `gradient` (gradient_size() floats, anything on entry), for minibatch `step`. It reads
  // the model as before the minibatch and changes nothing but the shard's rows of
  // sharded_state(). Returns the shard's share of the error train_batch would return (the
  // shares add up to it), or NaN.
  virtual double shard_gradient(const Examples& rows, const Shard& shard, std::uint64_t step,
                                std::span<float> gradient);
  // Called before each minibatch whose shards may be computed at once, on up to `wanted` threads:
  // readies scratch for them (the model's parameters copied into it, say) and returns how many
  // slots it readied. shard_gradient may then run concurrently for shards of distinct
  // Shard::slot below that number, until apply_gradient. Default 1: one shard at a time.
  virtual std::size_t shard_slots(std::size_t wanted);
  // The minibatch's update from the sum of its shards' gradients, in shard order (the model may
  // overwrite it).
  virtual void apply_gradient(std::span<float> gradient, std::size_t batch_rows, std::uint64_t step);
  // State whose rows belong to shards (an RBM's PCD chains: shard s updates rows
  // shard_rows(rows, s, S) in shard_gradient), for the driver to pass between processes.
  // Default: none.
  virtual std::vector<MatrixView<float>> sharded_state();
  // The multiply-adds one training row costs in its GEMMs (forward and backward), for the
  // benchmarks' share of the FMA peak; 0 (the default) when the model does not count them.
  virtual double training_multiply_adds_per_row() const;

  // Scores on `examples` (the same draws seed and examples give the same scores).
  virtual Metrics evaluate(const Examples& examples, std::uint64_t draws) const;
  // The metric whose change between epochs --tol watches; one that evaluate() returns.
  virtual std::string stopping_metric() const;
  // Whether training is done, from the scores of evaluate() on the training split after an
  // epoch: the driver then saves and stops (Outcome::converged), and a resumed run has nothing
  // to do. The driver asks with the scores of the rows it monitors; when they are not the whole
  // split and the answer is yes, it scores the whole split and asks again, so a model must only
  // say yes on a sample when it would on the whole (the perceptron: zero error). Default: never.
  virtual bool finished(const Metrics& train) const;

  // E[x | the model's code for x], row by row (gibbs reconstruct).
  virtual Matrix<float> reconstruct(ConstView<float> x) const;
  // The model's outputs for each row [rows, outputs] (gibbs predict): class probabilities for a
  // classifier, the predicted values for a regressor, the reconstruction for an autoencoder.
  virtual Matrix<float> predict(ConstView<float> x) const;
  // The class of each row (gibbs eval's accuracy and confusion matrix); empty when the model
  // does not classify.
  virtual std::vector<std::int32_t> classify(ConstView<float> x) const;
  // Each row's code [rows, code size] (gibbs encode), e.g. an autoencoder's bottleneck.
  virtual Matrix<float> encode(ConstView<float> x) const;
  // Free-running sampling (gibbs sample): one chain per row of `states` (its start, and its end
  // on return), the units in `clamped` held at their start values; after every `every` steps
  // `snapshot` gets the step and the chains' mean values.
  virtual void sample(MatrixView<float> states, std::span<const std::size_t> clamped, std::uint64_t seed,
                      std::size_t steps, std::size_t every,
                      const std::function<void(std::size_t step, ConstView<float> means)>& snapshot) const;
  // The log partition function of a model with one (gibbs eval --log-likelihood), estimates
  // made with the training split `train` where they need data (AIS's base model); the
  // log-likelihood of a row is then −F(row) − log Z (mean_free_energy).
  virtual LogPartition log_partition(const Examples& train, const PartitionSettings& settings) const;
  // The mean free energy F(v) = −log Σ_h e^−E(v, h) of rows x, summed in row order.
  virtual double mean_free_energy(ConstView<float> x) const;
  // Why rows `x` have no log-likelihood under the model (binary visibles and a value neither 0
  // nor 1: "row 3 holds 0.329, ..."), or empty when they have one. Default: empty.
  virtual std::string likelihood_domain_error(ConstView<float> x) const;
};

// The descriptor's create_model for a model type M (default-constructible, derived from
// Model): a new M as a Model* in a void*, or nullptr with the exception's message in error.
template <class M>
void* plugin_create(char* error, std::size_t error_size) noexcept {
  // Copied inside the handler: the exception and its what() end with it.
  const auto fail = [&](const char* message) {
    if (error != nullptr && error_size > 0) std::snprintf(error, error_size, "%s", message);
  };
  try {
    return static_cast<void*>(static_cast<Model*>(new M()));
  } catch (const std::exception& e) {
    fail(e.what());
  } catch (...) {
    fail("unknown exception");
  }
  return nullptr;
}

// A command's run function for the descriptor's table: calls command(args) with the words after
// the command's name and returns its status; an exception becomes exit status 2 with its message
// in error (gibbs::Error's is the one-line message the CLI prints).
template <int (*Command)(std::span<const std::string> args)>
int plugin_command(int argc, const char* const* argv, char* error, std::size_t error_size) noexcept {
  const auto fail = [&](const char* message) {
    if (error != nullptr && error_size > 0) std::snprintf(error, error_size, "%s", message);
  };
  try {
    const std::vector<std::string> args(argv, argv + argc);
    return Command(args);
  } catch (const std::exception& e) {
    fail(e.what());
  } catch (...) {
    fail("unknown exception");
  }
  return 2;
}

// The descriptor's destroy_model: deletes what plugin_create made (nullptr: nothing).
inline void plugin_destroy(void* model) noexcept { delete static_cast<Model*>(model); }

}  // namespace gibbs
