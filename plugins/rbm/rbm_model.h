// The RBM plugin's model: gibbs.sampler's RBM and contrastive divergence behind gibbs::Model,
// configured from the plugin's options (rbm_plugin.cpp declares them).
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

// --momentum-schedule "0.5:5,0.9": 0.5 for the first 5 epochs, then 0.9. "none": --momentum.
struct MomentumSchedule {
  std::vector<std::pair<float, std::uint64_t>> steps;  // (momentum, epochs), the last for ever
  static MomentumSchedule parse(const std::string& text, float constant);
  float at(std::uint64_t epoch) const;
};

class RbmModel final : public Model {
 public:
  std::string name() const override { return "rbm"; }
  void initialize(const Config& config, const io::DatasetInfo& info, const Examples& train, std::uint64_t seed) override;
  void restore(const io::Checkpoint& checkpoint) override;
  void save(io::Checkpoint& checkpoint) const override;
  std::size_t input_size() const override { return rbm_.visible(); }
  void begin_epoch(std::uint64_t epoch) override;
  double train_batch(const Examples& batch, std::uint64_t step) override;
  Metrics evaluate(const Examples& examples, std::uint64_t draws) const override;
  std::string stopping_metric() const override { return "reconstruction_mse"; }
  Matrix<float> reconstruct(ConstView<float> x) const override;
  void sample(MatrixView<float> states, std::span<const std::size_t> clamped, std::uint64_t seed, std::size_t steps,
              std::size_t every, const std::function<void(std::size_t, ConstView<float>)>& snapshot) const override;

 private:
  // The training settings from the config, for an rbm_ already shaped.
  void configure(const Config& config);

  sampler::Rbm rbm_;
  std::optional<sampler::ContrastiveDivergence> cd_;
  MomentumSchedule momentum_;
  float learning_rate_ = 0;
  float current_momentum_ = 0;
  std::uint64_t seed_ = 0;
};

}  // namespace gibbs::rbm
