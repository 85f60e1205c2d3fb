// Sgd and Adam: one elementwise pass per parameter (chunked over threads for large ones), and
// their state checked name by name and shape by shape on the way back in.
module;
#include "modules/nn/kernels/optimizer.h"
#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>
module gibbs.nn;
import gibbs.core;

namespace gibbs::nn {
namespace {

std::size_t count(const Parameter& p) { return p.value.rows() * p.value.cols(); }

void check_parameters(const std::string& optimizer, const std::vector<Parameter>& parameters) {
  std::set<std::string> names;
  for (const Parameter& p : parameters) {
    if (p.name.empty() || !names.insert(p.name).second)
      throw ArgumentError(fmt::format("{}: parameter name '{}' is empty or repeated", optimizer, p.name));
    expect_shape(optimizer + ": gradient of " + p.name, p.grad.shape(), p.value.shape());
    if (p.value.stride() != p.value.cols() || p.grad.stride() != p.grad.cols())
      throw ArgumentError(fmt::format("{}: parameter {} is not contiguous", optimizer, p.name));
  }
}

std::vector<Matrix<float>> zeros_like(const std::vector<Parameter>& parameters) {
  std::vector<Matrix<float>> slots;
  for (const Parameter& p : parameters) slots.emplace_back(p.value.rows(), p.value.cols());
  return slots;
}

void save_slot(OptimizerState& s, const std::string& slot, const std::vector<Parameter>& parameters,
               const std::vector<Matrix<float>>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) s.tensors.emplace(slot + "/" + parameters[i].name, values[i]);
}

// Checks that `state` holds exactly `slots` for every parameter and the counter "step";
// returns the tensors in slot-major order.
std::vector<const Matrix<float>*> check_state(const std::string& optimizer, const OptimizerState& state,
                                              const std::vector<std::string>& slots,
                                              const std::vector<Parameter>& parameters) {
  std::vector<const Matrix<float>*> found;
  for (const std::string& slot : slots)
    for (const Parameter& p : parameters) {
      const std::string name = slot + "/" + p.name;
      const auto it = state.tensors.find(name);
      if (it == state.tensors.end())
        throw ArgumentError(fmt::format("{} state: tensor {} is missing", optimizer, name));
      expect_shape(fmt::format("{} state: tensor {}", optimizer, name), it->second.shape(), p.value.shape());
      found.push_back(&it->second);
    }
  if (state.tensors.size() != found.size())
    for (const auto& [name, tensor] : state.tensors) {
      bool known = false;
      for (const std::string& slot : slots)
        for (const Parameter& p : parameters) known = known || name == slot + "/" + p.name;
      if (!known) throw ArgumentError(fmt::format("{} state: tensor {} is not one of its own", optimizer, name));
    }
  if (!state.counters.contains("step")) throw ArgumentError(optimizer + " state: counter step is missing");
  for (const auto& [name, value] : state.counters)
    if (name != "step") throw ArgumentError(fmt::format("{} state: counter {} is not one of its own", optimizer, name));
  return found;
}

// body(k, begin, end) over parameter k's elements [begin, end), for every parameter (offsets: where
// each starts, then the end): their elements taken as one array, cut by for_element_groups as
// ShardedStep cuts its sum.
template <class Body>
void for_parameter_elements(const std::vector<std::size_t>& offsets, const Body& body) {
  for_element_groups(offsets.back(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = 0; k + 1 < offsets.size() && offsets[k] < end; ++k) {
      const std::size_t from = std::max(begin, offsets[k]), to = std::min(end, offsets[k + 1]);
      if (from < to) body(k, from - offsets[k], to - offsets[k]);
    }
  });
}

}  // namespace

Optimizer::Optimizer(std::string name, std::vector<Parameter> parameters)
    : name_(std::move(name)), parameters_(std::move(parameters)), gradients_(parameters_.size()), offsets_{0} {
  check_parameters(name_, parameters_);
  for (const Parameter& p : parameters_) offsets_.push_back(offsets_.back() + count(p));
}

void Optimizer::step() {
  for (std::size_t k = 0; k < parameters_.size(); ++k) gradients_[k] = parameters_[k].grad.data();
  update();
}

void Optimizer::step(std::span<const float> gradient) {
  if (gradient.size() != offsets_.back())
    throw ArgumentError(
        fmt::format("{}: a gradient of {} floats for parameters of {}", name_, gradient.size(), offsets_.back()));
  for (std::size_t k = 0; k < parameters_.size(); ++k) gradients_[k] = gradient.data() + offsets_[k];
  update();
}

Sgd::Sgd(std::vector<Parameter> parameters, SgdOptions options)
    : Optimizer("sgd", std::move(parameters)), options_(options) {
  if (options_.momentum != 0.0) velocity_ = zeros_like(parameters_);
}

void Sgd::update() {
  const auto neg_lr = static_cast<float>(-options_.learning_rate);
  const auto mu = static_cast<float>(options_.momentum);
  const auto decay = static_cast<float>(options_.weight_decay);
  for_parameter_elements(offsets_, [&](std::size_t k, std::size_t b, std::size_t e) {
    float* v = velocity_.empty() ? nullptr : velocity_[k].data() + b;
    kernels::SgdUpdate(neg_lr, mu, decay, parameters_[k].value.data() + b, gradients_[k] + b, v, e - b);
  });
  ++steps_;
}

OptimizerState Sgd::state() const {
  OptimizerState s;
  save_slot(s, "momentum_buffer", parameters_, velocity_);
  s.counters["step"] = steps_;
  return s;
}

void Sgd::load_state(const OptimizerState& state) {
  const std::vector<std::string> slots =
      velocity_.empty() ? std::vector<std::string>{} : std::vector<std::string>{"momentum_buffer"};
  const auto found = check_state("sgd", state, slots, parameters_);
  for (std::size_t i = 0; i < velocity_.size(); ++i) velocity_[i] = *found[i];
  steps_ = state.counters.at("step");
}

Adam::Adam(std::vector<Parameter> parameters, AdamOptions options)
    : Optimizer("adam", std::move(parameters)), options_(options) {
  exp_avg_ = zeros_like(parameters_);
  exp_avg_sq_ = zeros_like(parameters_);
}

void Adam::update() {
  ++steps_;
  const double t = static_cast<double>(steps_);
  const double correction1 = 1.0 - std::pow(options_.beta1, t);
  const double correction2 = 1.0 - std::pow(options_.beta2, t);
  const kernels::AdamScalars s{.beta1 = static_cast<float>(options_.beta1),
                               .beta2 = static_cast<float>(options_.beta2),
                               .rest1 = static_cast<float>(1.0 - options_.beta1),
                               .rest2 = static_cast<float>(1.0 - options_.beta2),
                               .step = static_cast<float>(-(options_.learning_rate / correction1)),
                               .inv_root2 = static_cast<float>(1.0 / std::sqrt(correction2)),
                               .eps = static_cast<float>(options_.epsilon),
                               .decay = static_cast<float>(options_.weight_decay)};
  for_parameter_elements(offsets_, [&](std::size_t k, std::size_t b, std::size_t e) {
    kernels::AdamUpdate(s, parameters_[k].value.data() + b, gradients_[k] + b, exp_avg_[k].data() + b,
                        exp_avg_sq_[k].data() + b, e - b);
  });
}

OptimizerState Adam::state() const {
  OptimizerState s;
  save_slot(s, "exp_avg", parameters_, exp_avg_);
  save_slot(s, "exp_avg_sq", parameters_, exp_avg_sq_);
  s.counters["step"] = steps_;
  return s;
}

void Adam::load_state(const OptimizerState& state) {
  const auto found = check_state("adam", state, {"exp_avg", "exp_avg_sq"}, parameters_);
  const std::size_t n = parameters_.size();
  for (std::size_t i = 0; i < n; ++i) {
    exp_avg_[i] = *found[i];
    exp_avg_sq_[i] = *found[n + i];
  }
  steps_ = state.counters.at("step");
}

}  // namespace gibbs::nn
