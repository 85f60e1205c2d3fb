// gibbs.nn:optimizer — SGD (with PyTorch's momentum) and Adam over a list of parameters, with
// L2 weight decay, and their state as named tensors and counters for a checkpoint.
module;
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>
export module gibbs.nn:optimizer;
import gibbs.core;
import :layer;

export namespace gibbs::nn {

// An optimiser's state, exact: tensors "<slot>/<parameter name>" (e.g. "exp_avg/0.weight",
// shaped as the parameter's value view) and counters (e.g. "step").
struct OptimizerState {
  std::map<std::string, Matrix<float>> tensors;
  std::map<std::string, std::uint64_t> counters;
};

// Binds to parameters (views into a Network's layers, which must outlive it) and updates
// them in place from their grads. Arithmetic is float, element by element, the same for any
// thread count. L2 weight decay is added to the gradient first, as PyTorch does:
// g = grad + weight_decay·p (the stored grad is left alone).
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  void step();
  // The same update from `gradient` instead of the grads (which are left alone): each
  // parameter's gradient in turn, in the order the optimiser was given them, as many floats as
  // they hold together (else ArgumentError).
  void step(std::span<const float> gradient);

  virtual OptimizerState state() const = 0;
  // Replaces the state with one from state(): the same tensor names and shapes and the same
  // counters, else ArgumentError (or ShapeError), and nothing changes. Continuing after
  // load_state(s) gives the same bits as never having stopped.
  virtual void load_state(const OptimizerState& state) = 0;

  virtual double learning_rate() const = 0;
  virtual void set_learning_rate(double learning_rate) = 0;

 protected:
  // `name` ("sgd", "adam") starts its error messages; ArgumentError unless the parameters have
  // distinct names, contiguous values and grads of their values' shapes.
  Optimizer(std::string name, std::vector<Parameter> parameters);
  // One update, parameter k's gradient at gradients_[k].
  virtual void update() = 0;

  std::string name_;
  std::vector<Parameter> parameters_;
  std::vector<const float*> gradients_;  // the step's gradient of each parameter
  std::vector<std::size_t> offsets_;     // where each parameter starts in a flat gradient; then the end
};

// Hyper-parameters are doubles, as PyTorch's Python floats: each is rounded to float where
// it meets the tensors, and 1 − β is taken in double before rounding, as PyTorch does.
struct SgdOptions {
  double learning_rate = 0.01;
  double momentum = 0.0;  // μ; 0: plain SGD
  double weight_decay = 0.0;
};

// torch.optim.SGD (dampening 0, no Nesterov): with momentum, v = μ·v + g and p −= lr·v (v
// starts at 0, so the first step takes v = g, as PyTorch's); without, p −= lr·g.
// State: "momentum_buffer/<name>" per parameter when μ ≠ 0; counter "step".
class Sgd final : public Optimizer {
 public:
  Sgd(std::vector<Parameter> parameters, SgdOptions options);
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;
  double learning_rate() const override { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) override { options_.learning_rate = learning_rate; }

 private:
  void update() override;

  SgdOptions options_;
  std::vector<Matrix<float>> velocity_;  // one per parameter when momentum ≠ 0
  std::uint64_t steps_ = 0;
};

struct AdamOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.0;
};

// torch.optim.Adam (amsgrad off), in the order of PyTorch 1.13's single-tensor loop but for one
// division: at step t (from 1), with m and v starting at 0,
//   m = m·β1 + (1 − β1)·g,  v = v·β2 + (1 − β2)·g·g
//   p += (−lr / (1 − β1ᵗ))·m / (√v · (1 / √(1 − β2ᵗ)) + ε)
// the bias corrections, lr / (1 − β1ᵗ) and 1 / √(1 − β2ᵗ) in double, rounded to float once per
// step. PyTorch divides √v by √(1 − β2ᵗ): a second division per element, which the divider made
// a sixth of the update's time; the two differ in the last bit of the denominator at most.
// State: "exp_avg/<name>" (m) and "exp_avg_sq/<name>" (v) per parameter; counter "step" (t).
class Adam final : public Optimizer {
 public:
  Adam(std::vector<Parameter> parameters, AdamOptions options);
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;
  double learning_rate() const override { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) override { options_.learning_rate = learning_rate; }

 private:
  void update() override;

  AdamOptions options_;
  std::vector<Matrix<float>> exp_avg_, exp_avg_sq_;
  std::uint64_t steps_ = 0;
};

}  // namespace gibbs::nn
