// The DBN plugin's model: a stack of RBMs (Hinton & Salakhutdinov 2006) trained greedily, one
// layer per stage of the driver, each on the hidden probabilities of the layers below, computed
// minibatch by minibatch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "plugins/rbm/rbm_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;

namespace gibbs::dbn {

// Every option of `gibbs train --model dbn`. The per-layer ones take one value for every layer,
// or one per layer separated by '/' (--lr 0.1/0.1/0.1/0.001). Defaults: Hinton & Salakhutdinov's.
struct DbnOptions {
  std::string layers, visible, hidden_units, k, negative_phase, lr, momentum_schedule, weight_decay, init;

  template <class V>
  void for_each(V& v) {
    v(layers, "layers", "784,1000,500,250,30", "unit counts from the data's width to the top layer's, e.g. 784,500,2",
      fixed());
    v(visible, "visible", "bernoulli", "the data's units: bernoulli, or gaussian (unit variance)",
      fixed(one_of({"bernoulli", "gaussian"})));
    v(hidden_units, "hidden-units", "auto",
      "per layer: bernoulli or gaussian (linear, unit variance); auto: bernoulli, the top layer gaussian", fixed());
    v(k, "k", "1", "per layer: Gibbs steps of CD-k");
    v(negative_phase, "negative-phase", "mean",
      "per layer: the chain's visible units, sample or mean (E[v|h], as Hinton & Salakhutdinov's code)");
    v(lr, "lr", "auto", "per layer: learning rate; auto: 0.1, and 0.001 for a layer with Gaussian units");
    v(momentum_schedule, "momentum-schedule", "0.5:5,0.9",
      "per layer: momentum by epoch of the layer (0.5:5,0.9: 0.5 for 5 epochs, then 0.9), or a constant");
    v(weight_decay, "weight-decay", "0.0002", "per layer: L2 weight decay");
    v(init, "init", "normal:0.1", "per layer: weights normal:SIGMA or uniform-glorot4");
  }

  std::vector<std::size_t> sizes() const;  // --layers, checked
  // Layer `layer`'s RBM options (of sizes().size() − 1 layers), checked as the rbm plugin checks them.
  rbm::RbmOptions layer(std::size_t layer) const;
};

class DbnModel final : public Model {
 public:
  std::string name() const override { return "dbn"; }
  void initialize(const Config& config, const io::DatasetInfo& info, const Examples& train,
                  const Setup& setup) override;
  void restore(const io::Checkpoint& checkpoint, const Setup& setup) override;
  void save(io::Checkpoint& checkpoint) const override;
  std::size_t input_size() const override { return sizes_.front(); }
  std::size_t stages() const override { return layers_.size(); }
  void begin_stage(std::size_t stage) override;
  void begin_epoch(std::uint64_t epoch) override;
  double train_batch(const Examples& batch, std::uint64_t step) override;
  std::size_t gradient_size() const override { return layers_[stage_].gradient_size(); }
  double shard_gradient(const Examples& rows, const Shard& shard, std::uint64_t step,
                        std::span<float> gradient) override;
  void apply_gradient(std::span<float> gradient, std::size_t batch_rows, std::uint64_t step) override {
    layers_[stage_].apply_gradient(gradient, batch_rows, step);
  }
  std::vector<MatrixView<float>> sharded_state() override { return layers_[stage_].sharded_state(); }
  // reconstruction_mse: the data through the layers up to the one in training and back down;
  // layer_reconstruction_mse, layer_free_energy_gap: that layer's own, on its inputs (the rbm
  // model's scores).
  Metrics evaluate(const Examples& examples, std::uint64_t draws) const override;
  std::string stopping_metric() const override { return "reconstruction_mse"; }
  Matrix<float> reconstruct(ConstView<float> x) const override;  // up through every layer, then down
  Matrix<float> encode(ConstView<float> x) const override;       // the top layer's means
  // Alternating Gibbs sampling in the top RBM, started from the states' up pass; the snapshots and
  // the final states are its visible means taken down through the layers below.
  void sample(MatrixView<float> states, std::span<const std::size_t> clamped, std::uint64_t seed, std::size_t steps,
              std::size_t every, const std::function<void(std::size_t, ConstView<float>)>& snapshot) const override;

  const std::vector<rbm::RbmModel>& layers() const { return layers_; }  // from the data's up

 private:
  // The rows x as the stage's layer sees them: up through the layers below it (batch_up_).
  ConstView<float> up_to_stage(ConstView<float> x);
  // E[h | x] after the first `count` layers (x itself for 0), into `out` (rows × the width there).
  void up(ConstView<float> x, std::size_t count, MatrixView<float> out) const;
  Matrix<float> up(ConstView<float> x, std::size_t count) const;
  // E[v | h] from the top of layer `from`'s hidden units down to the data.
  Matrix<float> down(ConstView<float> hidden, std::size_t from) const;

  std::vector<std::size_t> sizes_;
  std::vector<rbm::RbmModel> layers_;
  std::size_t stage_ = 0;
  std::vector<Matrix<float>> batch_up_;  // train_batch: each layer's hidden means of the minibatch
};

}  // namespace gibbs::dbn
