// The perceptron plugin's model: one dense unit with the notebook's sign activation, trained by
// the perceptron rule (gibbs.nn), configured from the options perceptron_plugin.cpp declares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>
import gibbs.core;
import gibbs.io;
import gibbs.plugin;

namespace gibbs::perceptron {

// Params as gibbs.nn names a Network "dense:1, sign": the weights [inputs, 1] and the bias [1].
inline constexpr const char* kWeight = "0.weight";
inline constexpr const char* kBias = "0.bias";

class PerceptronModel final : public Model {
 public:
  std::string name() const override { return "perceptron"; }
  void initialize(const Config& config, const io::DatasetInfo& info, const Examples& train, std::uint64_t seed) override;
  void restore(const io::Checkpoint& checkpoint) override;
  void save(io::Checkpoint& checkpoint) const override;
  std::size_t input_size() const override { return weights_.size(); }
  double train_batch(const Examples& batch, std::uint64_t step) override;
  // error: the notebook's ECM, the mean of (y − ŷ)² over the rows (4 × the share wrong);
  // accuracy: the share right. Targets are −1 for label 0 and +1 for label 1.
  Metrics evaluate(const Examples& examples, std::uint64_t draws) const override;
  std::string stopping_metric() const override { return "error"; }
  // Zero error on the training split: the rule would change nothing more.
  bool finished(const Metrics& train) const override;
  Matrix<float> predict(ConstView<float> x) const override;  // ±1, [rows, 1]
  std::vector<std::int32_t> classify(ConstView<float> x) const override;  // 0 (ŷ = −1) or 1

 private:
  void configure(const Config& config);
  float output(std::span<const float> x) const;

  std::vector<float> weights_;
  float bias_ = 0;
  float learning_rate_ = 0;
  std::vector<float> targets_;  // of the minibatch, reused
};

// `gibbs capacity ...` (capacity_command.cpp), run through the plugin's command table.
int capacity_command(std::span<const std::string> args);

}  // namespace gibbs::perceptron
