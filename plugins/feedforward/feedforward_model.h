// What the MLP, CNN and autoencoder plugins share: a gibbs.nn network (one stage, or the
// autoencoder's encoder and decoder) trained by backpropagation with SGD, momentum or Adam,
// behind gibbs::Model, and the training options each of them declares.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
import gibbs.core;
import gibbs.io;
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::feedforward {

// The options every feed-forward plugin declares after its own.
inline constexpr std::array<gibbs_plugin_option, 5> kTrainingOptions = {{
    {"optimizer", "string", "adam", "sgd, momentum (SGD with --momentum) or adam (PyTorch's betas and epsilon)"},
    {"lr", "float", "0.001", "learning rate"},
    {"momentum", "float", "0.9", "momentum of --optimizer momentum (PyTorch's: v = μv + g, p -= lr·v)"},
    {"weight-decay", "float", "0", "L2 weight decay, added to the gradient as PyTorch does"},
    {"batch-size", "int", "64", "rows per minibatch (1: per-sample updates; the training set's size: full batch)"},
}};

// A plugin's own options followed by kTrainingOptions, as one array for its descriptor.
template <std::size_t N>
constexpr std::array<gibbs_plugin_option, N + kTrainingOptions.size()> with_training_options(
    const std::array<gibbs_plugin_option, N>& own) {
  std::array<gibbs_plugin_option, N + kTrainingOptions.size()> all{};
  for (std::size_t i = 0; i < N; ++i) all[i] = own[i];
  for (std::size_t i = 0; i < kTrainingOptions.size(); ++i) all[N + i] = kTrainingOptions[i];
  return all;
}

// The descriptor of a feed-forward plugin whose model is M (no commands of its own).
template <class M, std::size_t N>
constexpr gibbs_plugin_descriptor descriptor(const char* name, const char* summary,
                                             const std::array<gibbs_plugin_option, N>& options) {
  return {sizeof(gibbs_plugin_descriptor), GIBBS_PLUGIN_ABI_VERSION, name, "1.0.0", summary, options.data(),
          options.size(), plugin_create<M>, plugin_destroy, nullptr, 0};
}

// What the network learns to output.
enum class Task {
  // Class labels. One output per class: softmax cross-entropy on the outputs (logits). A
  // single output on two classes: MSE against targets ±1 (0/1 after a final sigmoid), scored
  // by sign (threshold 0, or 0.5 after a sigmoid), as the logic-gate exercises do.
  classify,
  regress,      // the split's targets t, one per row, under MSE (a single output)
  reconstruct,  // the input itself under MSE (the autoencoder)
};

// A stage of the network; its parameters are named <prefix><layer>.<name> ("encoder.0.weight").
struct Stage {
  std::string prefix;
  nn::Architecture architecture;
};

class FeedForwardModel : public Model {
 public:
  ~FeedForwardModel() override;
  std::string name() const override { return name_; }
  void initialize(const Config& config, const io::DatasetInfo& info, const Examples& train, std::uint64_t seed) override;
  void restore(const io::Checkpoint& checkpoint) override;
  void save(io::Checkpoint& checkpoint) const override;
  std::size_t input_size() const override;
  double train_batch(const Examples& batch, std::uint64_t step) override;
  // classify: cross_entropy (or mse with a single output) and accuracy; regress and
  // reconstruct: mse. Over the whole of `examples`; no draws are involved.
  Metrics evaluate(const Examples& examples, std::uint64_t draws) const override;
  std::string stopping_metric() const override;
  Matrix<float> predict(ConstView<float> x) const override;
  std::vector<std::int32_t> classify(ConstView<float> x) const override;
  Matrix<float> encode(ConstView<float> x) const override;
  Matrix<float> reconstruct(ConstView<float> x) const override;

 protected:
  // `task`: the plugin's fixed task, or none to read it from the --task option.
  FeedForwardModel(std::string name, std::optional<Task> task);
  // The stages, in order, for samples of shape `input`, from the plugin's options.
  virtual std::vector<Stage> build(const Config& config, nn::SampleShape input) const = 0;

 private:
  struct Network;
  // Builds the stages and the optimiser for `input` from the config; checks the output size.
  void configure(const Config& config, nn::SampleShape input, std::size_t classes);
  // The last stage's output for x (at most kChunk rows; valid until the next forward).
  ConstView<float> forward(ConstView<float> x) const;
  // Calls f(first row, outputs) for successive chunks of x.
  template <class F>
  void for_chunks(ConstView<float> x, F&& f) const;
  bool single_output_classifier() const;
  float sign_threshold() const;  // 0, or 0.5 after a final sigmoid

  std::string name_;
  std::optional<Task> fixed_task_;
  Task task_ = Task::classify;
  std::unique_ptr<Network> network_;  // behind a pointer: const scoring still needs workspace
};

}  // namespace gibbs::feedforward
