// What the MLP, CNN and autoencoder plugins share: a gibbs.nn network (one stage, or the
// autoencoder's encoder and decoder) trained by backpropagation with SGD, momentum or Adam,
// behind gibbs::Model, and the training options each of them declares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "modules/plugin/descriptor.h"
import gibbs.core;
import gibbs.io;
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::feedforward {

// The training options every feed-forward plugin declares after its own.
struct TrainingOptions {
  std::string optimizer;
  double lr = 0, momentum = 0, weight_decay = 0;

  template <class V>
  void for_each(V& v) {
    v(optimizer, "optimizer", "adam", "sgd, momentum (SGD with --momentum) or adam (PyTorch's betas and epsilon)",
      one_of({"sgd", "momentum", "adam"}));
    v(lr, "lr", 0.001, "learning rate", positive());
    v(momentum, "momentum", 0.9, "momentum of --optimizer momentum (PyTorch's: v = μv + g, p -= lr·v)",
      in_range(0, 1, true));
    v(weight_decay, "weight-decay", 0.0, "L2 weight decay, added to the gradient as PyTorch does", non_negative());
  }
};

// --task, of the plugins that both classify and regress.
struct TaskOption {
  std::string task;

  template <class V>
  void for_each(V& v) {
    v(task, "task", "auto",
      "classify (labels: softmax cross-entropy, or a single output scored by sign), regress (targets, MSE), "
      "or auto (regress when the data has targets)",
      one_of({"auto", "classify", "regress"}));
  }
};

// The layer after the network's last, from --output-activation: none for identity.
std::string output_activation(const std::string& option);

// What the network learns to output.
enum class Task {
  // Class labels. One output per class: softmax cross-entropy on the outputs (logits). A
  // single output on two classes: MSE against targets ±1 (0/1 after a final sigmoid), scored
  // by sign (threshold 0, or 0.5 after a sigmoid), as the logic-gate exercises do.
  classify,
  regress,      // the split's targets t, one per row, under MSE (a single output)
  reconstruct,  // the input itself under MSE (the autoencoder)
};

// The loss of Task::reconstruct: MSE, or binary cross-entropy on the sigmoid outputs (inputs in
// [0, 1]; Hinton & Salakhutdinov's).
enum class ReconstructionLoss { mse, cross_entropy };

// A stage of the network; its parameters are named <prefix><layer>.<name> ("encoder.0.weight").
struct Stage {
  std::string prefix;
  nn::Architecture architecture;
};

class FeedForwardModel : public Model {
 public:
  ~FeedForwardModel() override;
  std::string name() const override { return name_; }
  void initialize(const Config& config, const io::DatasetInfo& info, const Examples& train,
                  const Setup& setup) override;
  void restore(const io::Checkpoint& checkpoint, const Setup& setup) override;
  void save(io::Checkpoint& checkpoint) const override;
  std::size_t input_size() const override;
  double train_batch(const Examples& batch, std::uint64_t step) override;
  // Every parameter's gradient, in parameter order; the optimiser steps in apply_gradient.
  std::size_t gradient_size() const override;
  // Every stage's Network::training_multiply_adds (the first stage's computes no input gradient).
  double training_multiply_adds_per_row() const override;
  double shard_gradient(const Examples& rows, const Shard& shard, std::uint64_t step,
                        std::span<float> gradient) override;
  // Slot k computes in replica k of the network, which reads the network's parameter values in
  // place and writes the shard's gradient straight into shard_gradient's `gradient`.
  std::size_t shard_slots(std::size_t wanted) override;
  void apply_gradient(std::span<float> gradient, std::size_t batch_rows, std::uint64_t step) override;
  // classify: cross_entropy (or mse with a single output) and accuracy; regress and
  // reconstruct: mse (and cross_entropy under that loss). Over the whole of `examples`; no draws
  // are involved.
  Metrics evaluate(const Examples& examples, std::uint64_t draws) const override;
  std::string stopping_metric() const override;
  Matrix<float> predict(ConstView<float> x) const override;
  std::vector<std::int32_t> classify(ConstView<float> x) const override;
  Matrix<float> encode(ConstView<float> x) const override;
  Matrix<float> reconstruct(ConstView<float> x) const override;

 protected:
  // `task`: the plugin's fixed task, or none to read it from TaskOption.
  FeedForwardModel(std::string name, std::optional<Task> task);
  // The stages, in order, for samples of shape `input`, from the plugin's options (read from
  // `config` with read_options).
  virtual std::vector<Stage> build(const Config& config, nn::SampleShape input) const = 0;
  // Task::reconstruct's loss, from the plugin's options. Default: MSE.
  virtual ReconstructionLoss reconstruction_loss(const Config& config) const;
  // Called after the random initialisation of a new model with every stage's parameters (named
  // as in the checkpoint), to replace them (a pretrained start). Default: nothing.
  virtual void initialize_parameters(const Config& config, std::span<const nn::Parameter> parameters) const;

 private:
  struct Network;
  // Builds the stages and the optimiser for `input` from the config; checks the output size.
  void configure(const Config& config, nn::SampleShape input, std::size_t classes);
  // Forward and backward over `batch` in n (the model's network or a replica): every
  // parameter's grad holds ∂loss/∂p, the loss's gradient scaled by `share` first; returns the
  // (unscaled) loss.
  double backpropagate(Network& n, const Examples& batch, float share) const;
  // The last stage's output for x (at most kChunk rows; valid until the next forward), in the
  // model's network or in n.
  ConstView<float> forward(ConstView<float> x) const;
  static ConstView<float> forward(Network& n, ConstView<float> x);
  // Calls f(first row, outputs) for successive chunks of x.
  template <class F>
  void for_chunks(ConstView<float> x, F&& f) const;
  bool single_output_classifier() const;
  float sign_threshold() const;  // 0, or 0.5 after a final sigmoid

  std::string name_;
  std::optional<Task> fixed_task_;
  Task task_ = Task::classify;
  ReconstructionLoss loss_ = ReconstructionLoss::mse;
  std::unique_ptr<Network> network_;                // behind a pointer: const scoring still needs workspace
  std::vector<std::unique_ptr<Network>> replicas_;  // replica k: shard_gradient's slot k
};

// A feed-forward plugin's model: its options struct O names the plugin (O::kName, O::kSummary),
// fixes its task or not (O::kTask) and builds the stages (O::build(input)).
template <class O>
class PluginModel final : public FeedForwardModel {
 public:
  PluginModel() : FeedForwardModel(O::kName, O::kTask) {}

 private:
  std::vector<Stage> build(const Config& config, nn::SampleShape input) const override {
    return read_options<O>(config).build(input);
  }
  ReconstructionLoss reconstruction_loss(const Config& config) const override {
    if constexpr (requires(const O& o) { o.reconstruction_loss(); })
      return read_options<O>(config).reconstruction_loss();
    else
      return ReconstructionLoss::mse;
  }
  void initialize_parameters(const Config& config, std::span<const nn::Parameter> parameters) const override {
    if constexpr (requires(const O& o) { o.initialize_parameters(parameters); })
      read_options<O>(config).initialize_parameters(parameters);
  }
};

// The descriptor of the feed-forward plugin configured by O (minibatches of 64).
template <class O>
const gibbs_plugin_descriptor& descriptor() {
  return plugin_descriptor<PluginModel<O>, O>(
      {.name = O::kName, .version = "1.0.0", .summary = O::kSummary, .default_batch_size = 64});
}

}  // namespace gibbs::feedforward
