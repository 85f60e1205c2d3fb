// The perceptron plugin's model: one dense unit with the notebook's sign activation, trained by
// the perceptron rule (gibbs.nn), configured by PerceptronOptions.
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

// Every option of `gibbs train --model perceptron` (the driver adds --batch-size, 1 here).
struct PerceptronOptions {
  double lr = 0;
  std::string init;

  template <class V>
  void for_each(V& v) {
    v(lr, "lr", 0.01, "learning rate of the perceptron rule", positive());
    v(init, "init", "zero", "weights and bias: zero, or normal:SIGMA (drawn from N(0, SIGMA²))");
  }
};

class PerceptronModel final : public Model {
 public:
  std::string name() const override { return "perceptron"; }
  void initialize(const Config& config, const io::DatasetInfo& info, const Examples& train,
                  const Setup& setup) override;
  void restore(const io::Checkpoint& checkpoint, const Setup& setup) override;
  void save(io::Checkpoint& checkpoint) const override;
  std::size_t input_size() const override { return weights_.size(); }
  double train_batch(const Examples& batch, std::uint64_t step) override;
  // The batch rule's sums over the shard's rows, Σ lr·(y − ŷ)·x and Σ lr·(y − ŷ): [w | b].
  std::size_t gradient_size() const override { return weights_.size() + 1; }
  double shard_gradient(const Examples& rows, const Shard& shard, std::uint64_t step,
                        std::span<float> gradient) override;
  void apply_gradient(std::span<float> gradient, std::size_t batch_rows, std::uint64_t step) override;
  // error: the notebook's ECM, the mean of (y − ŷ)² over the rows (4 × the share wrong);
  // accuracy: the share right. Targets are −1 for label 0 and +1 for label 1.
  Metrics evaluate(const Examples& examples, std::uint64_t draws) const override;
  std::string stopping_metric() const override { return "error"; }
  // Zero error on the training split: the rule would change nothing more.
  bool finished(const Metrics& train) const override;
  Matrix<float> predict(ConstView<float> x) const override;               // ±1, [rows, 1]
  std::vector<std::int32_t> classify(ConstView<float> x) const override;  // 0 (ŷ = −1) or 1

 private:
  float output(std::span<const float> x) const;
  std::span<const float> targets_of(const Examples& examples);  // ±1 per label, in targets_
  std::vector<io::TensorSlot> tensors();                        // for save and restore alike

  std::vector<float> weights_;
  float bias_ = 0;
  float learning_rate_ = 0;
  std::vector<float> targets_;  // of the minibatch, reused
};

// `gibbs capacity ...` (capacity_command.cpp), run through the plugin's command table.
int capacity_command(std::span<const std::string> args);

}  // namespace gibbs::perceptron
