// The RBM plugin's model: gibbs.sampler's RBM and contrastive divergence behind gibbs::Model,
// configured by RbmOptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.sampler;

namespace gibbs::rbm {

// A value by epoch: --momentum-schedule 0.5:5,0.9 is 0.5 for the first 5 epochs, then 0.9; "none"
// is the constant option's value throughout.
struct EpochSchedule {
  std::vector<std::pair<float, std::uint64_t>> steps;  // (value, epochs), the last for ever
  // An option_error naming `option` when the text is malformed or a value fails `valid`
  // (`values` says what they must be, e.g. "with values in [0, 1)"; `example` is a well-formed text).
  static EpochSchedule parse(const char* option, const std::string& text, float constant,
                             const std::function<bool(float)>& valid, const char* values, const char* example);
  float at(std::uint64_t epoch) const;
};

// Every option of `gibbs train --model rbm` (the driver adds its own: --batch-size 128 for an RBM).
struct RbmOptions {
  std::string visible;
  std::int64_t hidden = 0;
  std::string hidden_units;
  std::int64_t k = 0;
  bool persistent = false;
  std::string negative_phase;
  double lr = 0;
  std::string lr_schedule;
  double momentum = 0;
  std::string momentum_schedule;
  double weight_decay = 0, sparsity_target = 0, sparsity_cost = 0;
  std::string init;
  bool no_visible_bias = false;
  std::string visible_bias_init;
  double visible_clip = 0;

  template <class V>
  void for_each(V& v) {
    v(visible, "visible", "bernoulli", "visible units: bernoulli, or gaussian (unit variance)",
      fixed(one_of({"bernoulli", "gaussian"})));
    v(hidden, "hidden", 500, "hidden units", fixed(at_least(1)));
    v(hidden_units, "hidden-units", "bernoulli",
      "hidden units: bernoulli, or gaussian (unit variance: linear codes, Hinton & Salakhutdinov's top layer; with "
      "Bernoulli visibles)",
      fixed(one_of({"bernoulli", "gaussian"})));
    v(k, "k", 1, "Gibbs steps per update (CD-k, or PCD-k with --persistent)", in_range(1, 100'000, false));
    v(persistent, "persistent", false, "persistent CD: one chain per minibatch row, kept between updates", fixed());
    v(negative_phase, "negative-phase", "sample",
      "the chain's visible units: sample (v ~ P(v|h)), or mean (E[v|h], Hinton's practical guide)",
      one_of({"sample", "mean"}));
    v(lr, "lr", 0.01, "learning rate", positive());
    v(lr_schedule, "lr-schedule", "none",
      "learning rate by epoch, e.g. 0.01:80,0.001 (0.01 for 80 epochs, then 0.001); replaces --lr");
    v(momentum, "momentum", 0.0, "momentum", in_range(0, 1, true));
    v(momentum_schedule, "momentum-schedule", "none",
      "momentum by epoch, e.g. 0.5:5,0.9 (0.5 for 5 epochs, then 0.9); replaces --momentum");
    v(weight_decay, "weight-decay", 0.0, "L2 weight decay (on the weights)", non_negative());
    v(sparsity_target, "sparsity-target", 0.0, "target mean activation of each hidden unit (0: no sparsity penalty)",
      in_range(0, 1, true));
    v(sparsity_cost, "sparsity-cost", 0.1, "strength of the sparsity penalty", non_negative());
    v(init, "init", "normal:0.01",
      "weights: normal:SIGMA, or uniform-glorot4 (uniform in ±4·sqrt(6/(visible+hidden)))");
    v(no_visible_bias, "no-visible-bias", false, "no visible bias (it stays zero)");
    v(visible_bias_init, "visible-bias-init", "zero",
      "zero, or logit-mean (log(p/(1−p)) of each unit's training mean; Bernoulli)", one_of({"zero", "logit-mean"}));
    v(visible_clip, "visible-clip", 0.0,
      "Gaussian visibles: clip their means to [−X, X] (0: no clipping; the course notebook: 10)", non_negative());
  }
};

class RbmModel final : public Model {
 public:
  RbmModel() = default;
  // A layer of a stack (the dbn plugin): its tensors are /params/<prefix>W, ... ("layer1.W").
  explicit RbmModel(std::string prefix) : prefix_(std::move(prefix)) {}

  std::string name() const override { return "rbm"; }
  void initialize(const Config& config, const io::DatasetInfo& info, const Examples& train,
                  const Setup& setup) override;
  void restore(const io::Checkpoint& checkpoint, const Setup& setup) override;
  void save(io::Checkpoint& checkpoint) const override;
  std::size_t input_size() const override { return rbm_.visible(); }
  void begin_epoch(std::uint64_t epoch) override;
  double train_batch(const Examples& batch, std::uint64_t step) override;
  std::size_t gradient_size() const override;
  double training_multiply_adds_per_row() const override;  // ContrastiveDivergence's
  double shard_gradient(const Examples& rows, const Shard& shard, std::uint64_t step,
                        std::span<float> gradient) override;
  void apply_gradient(std::span<float> gradient, std::size_t batch_rows, std::uint64_t step) override;
  std::vector<MatrixView<float>> sharded_state() override;
  Metrics evaluate(const Examples& examples, std::uint64_t draws) const override;
  std::string stopping_metric() const override { return "reconstruction_mse"; }
  Matrix<float> reconstruct(ConstView<float> x) const override;
  void sample(MatrixView<float> states, std::span<const std::size_t> clamped, std::uint64_t seed, std::size_t steps,
              std::size_t every, const std::function<void(std::size_t, ConstView<float>)>& snapshot) const override;
  LogPartition log_partition(const Examples& train, const PartitionSettings& settings) const override;
  std::string likelihood_domain_error(ConstView<float> x) const override;
  double mean_free_energy(ConstView<float> x) const override;
  // E[h | v]: the hidden units' probabilities (Bernoulli) or means (Gaussian).
  Matrix<float> encode(ConstView<float> x) const override;

  // initialize and restore with the options given: a fresh RBM of `visible` units (`data`, when
  // not empty, the training rows that --visible-bias-init logit-mean needs), or the one the
  // checkpoint holds under the prefix.
  void create(const RbmOptions& options, std::size_t visible, const Setup& setup, ConstView<float> data);
  void restore(const RbmOptions& options, const io::Checkpoint& checkpoint, const Setup& setup);
  // The checkpoint's tensors, for save and restore alike (what the settings keep).
  std::vector<io::TensorSlot> tensors();
  const sampler::Rbm& rbm() const { return rbm_; }

 private:
  // The training settings, for an rbm_ already shaped.
  void configure(const RbmOptions& options, std::size_t batch_size);

  sampler::Rbm rbm_;
  std::optional<sampler::ContrastiveDivergence> cd_;
  EpochSchedule learning_rate_, momentum_;
  float current_learning_rate_ = 0;
  float current_momentum_ = 0;
  std::uint64_t seed_ = 0;
  std::string prefix_;
};

}  // namespace gibbs::rbm
