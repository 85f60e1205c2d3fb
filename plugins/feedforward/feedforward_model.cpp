// The feed-forward plugins' model: options → network and optimiser, a minibatch → one
// backpropagation step, parameters and optimiser state ↔ checkpoint, outputs → scores.
#include "plugins/feedforward/feedforward_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>
import gibbs.core;
import gibbs.io;
import gibbs.nn;
import gibbs.plugin;
import gibbs.simd;

namespace gibbs::feedforward {
namespace {

// Rows per forward pass when scoring or predicting: bounds the workspace (a CNN's first layer
// holds 32·26·26 floats a row).
constexpr std::size_t kChunk = 256;

const char* to_string(Task task) {
  switch (task) {
    case Task::classify: return "classify";
    case Task::regress: return "regress";
    case Task::reconstruct: return "reconstruct";
  }
  return "?";
}

// A view of `rows` × `cols` in m, which grows (and never shrinks) to hold it.
MatrixView<float> workspace(Matrix<float>& m, std::size_t rows, std::size_t cols) {
  if (m.cols() != cols || m.rows() < rows) m = Matrix<float>(std::max(rows, m.cols() == cols ? m.rows() : 0), cols);
  return m.view().block(0, 0, rows, cols);
}

std::uint64_t input_counter(const io::Checkpoint& c, const char* name) {
  const auto it = c.counters.find(std::string("network/") + name);
  if (it == c.counters.end() || it->second == 0)
    throw ArgumentError(fmt::format("the checkpoint has no input shape (/state/network attribute {})", name));
  return it->second;
}

bool ends_with(const nn::Architecture& a, const nn::LayerSpec& layer) {
  return !a.layers.empty() && a.layers.back() == layer;
}

}  // namespace

std::string output_activation(const std::string& option) { return option == "identity" ? std::string() : option; }

ReconstructionLoss FeedForwardModel::reconstruction_loss(const Config&) const { return ReconstructionLoss::mse; }
void FeedForwardModel::initialize_parameters(const Config&, std::span<const nn::Parameter>) const {}

struct FeedForwardModel::Network {
  nn::SampleShape input;
  std::vector<std::string> prefixes;
  std::vector<std::unique_ptr<nn::Network>> stages;
  std::vector<nn::Network*> chain;        // the stages, for nn::Network::train_chain
  std::vector<nn::Parameter> parameters;  // every stage's, named with its prefix
  std::unique_ptr<nn::Optimizer> optimizer;
  std::vector<ConstView<float>> outputs;  // each stage's output in the last forward
  Matrix<float> grad, targets;
  std::vector<double> row_losses;  // each row's share of the last minibatch's loss

  // The stages of these architectures, their parameters named with the prefixes; no optimiser.
  Network(nn::SampleShape input_shape, std::vector<std::string> stage_prefixes,
          const std::vector<nn::Architecture>& architectures)
      : input(input_shape), prefixes(std::move(stage_prefixes)) {
    for (const nn::Architecture& a : architectures) {
      stages.push_back(std::make_unique<nn::Network>(a));
      chain.push_back(stages.back().get());
    }
    outputs.resize(stages.size());
    collect_parameters();
  }
  // The same stages, reading this network's parameter values in place, with their own
  // gradients and workspace: for a shard computed beside this network's.
  std::unique_ptr<Network> replica() {
    std::vector<nn::Architecture> architectures;
    for (const auto& stage : stages) architectures.push_back(stage->architecture());
    auto replica = std::make_unique<Network>(input, prefixes, architectures);
    for (std::size_t s = 0; s < stages.size(); ++s) replica->stages[s]->share_values(*stages[s]);
    replica->collect_parameters();
    return replica;
  }
  // From now on the stages' gradients live in `storage` (gradient_size() floats), stage after
  // stage: a replica so computes a shard's gradient where ShardedStep sums it.
  void bind_gradients(std::span<float> storage) {
    for (const auto& stage : stages) {
      const std::size_t floats = stage->gradient_size();
      stage->bind_gradients(storage.first(floats));
      storage = storage.subspan(floats);
    }
    collect_parameters();
  }
  void collect_parameters() {
    parameters.clear();
    for (std::size_t s = 0; s < stages.size(); ++s)
      for (nn::Parameter p : stages[s]->parameters()) {
        p.name = prefixes[s] + p.name;
        parameters.push_back(std::move(p));
      }
  }

  std::size_t outputs_per_row() const { return stages.back()->output_shape().size(); }
  const nn::Parameter* parameter(const std::string& name) const {
    for (const nn::Parameter& p : parameters)
      if (p.name == name) return &p;
    return nullptr;
  }
};

FeedForwardModel::FeedForwardModel(std::string name, std::optional<Task> task)
    : name_(std::move(name)), fixed_task_(task) {}

FeedForwardModel::~FeedForwardModel() = default;

void FeedForwardModel::configure(const Config& config, nn::SampleShape input, std::size_t classes) {
  if (fixed_task_) {
    task_ = *fixed_task_;
  } else {
    const std::string task = read_options<TaskOption>(config).task;
    if (task != "classify" && task != "regress")  // auto was resolved by initialize
      throw option_error("task", "must be classify or regress in a checkpoint", fmt::format("'{}'", task));
    task_ = task == "classify" ? Task::classify : Task::regress;
  }
  std::vector<std::string> prefixes;
  std::vector<nn::Architecture> architectures;
  for (Stage& stage : build(config, input)) {
    prefixes.push_back(stage.prefix);
    architectures.push_back(stage.architecture);
  }
  auto network = std::make_unique<Network>(input, std::move(prefixes), architectures);
  replicas_.clear();

  const nn::Architecture& last = network->stages.back()->architecture();
  const std::size_t outputs = network->stages.back()->output_shape().size();
  switch (task_) {
    case Task::classify:
      if (outputs == 1 && classes > 2)
        throw ArgumentError(fmt::format(
            "one output can tell two classes apart, not {}: end the network with {} outputs", classes, classes));
      if (outputs > 1 && classes != 0 && outputs != classes)
        throw ArgumentError(
            fmt::format("the network ends with {} outputs, but the data has {} classes", outputs, classes));
      if (outputs > 1 && ends_with(last, {.kind = nn::LayerKind::kSoftmax}))
        throw ArgumentError(
            "the network ends with softmax: end it with the class logits (dense:N); the cross-entropy applies the "
            "softmax");
      break;
    case Task::regress:
      if (outputs != 1)
        throw ArgumentError(
            fmt::format("a regression has one target a row, but the network ends with {} outputs", outputs));
      break;
    case Task::reconstruct:
      if (outputs != input.size())
        throw ArgumentError(
            fmt::format("the decoder ends with {} outputs, but the input has {} values", outputs, input.size()));
      loss_ = reconstruction_loss(config);
      if (loss_ == ReconstructionLoss::cross_entropy && !ends_with(last, {.activation = simd::Activation::kSigmoid}))
        throw ArgumentError("the cross-entropy loss needs outputs in [0, 1]: give --output-activation sigmoid");
      break;
  }

  const TrainingOptions training = read_options<TrainingOptions>(config);
  if (training.optimizer == "adam") {
    nn::AdamOptions options;
    options.learning_rate = training.lr;
    options.weight_decay = training.weight_decay;
    network->optimizer = std::make_unique<nn::Adam>(network->parameters, options);
  } else {
    const double momentum = training.optimizer == "momentum" ? training.momentum : 0.0;
    network->optimizer =
        std::make_unique<nn::Sgd>(network->parameters, nn::SgdOptions{training.lr, momentum, training.weight_decay});
  }
  network_ = std::move(network);
}

void FeedForwardModel::initialize(const Config& config, const io::DatasetInfo& info, const Examples& train,
                                  const Setup& setup) {
  const nn::SampleShape input = nn::sample_shape_from(info.sample_shape);
  std::size_t classes = info.classes.size();
  for (const std::int32_t y : train.y) classes = std::max(classes, static_cast<std::size_t>(y) + 1);
  Config resolved = config;
  if (!fixed_task_ && read_options<TaskOption>(config).task == "auto") {
    if (!train.t.empty())
      resolved["task"] = std::string("regress");
    else if (!train.y.empty())
      resolved["task"] = std::string("classify");
    else
      throw ArgumentError("the training split has neither labels nor targets: give --task, or data with either");
  }
  if (!fixed_task_) {
    const std::string task = read_options<TaskOption>(resolved).task;
    if (task == "classify" && train.y.empty())
      throw ArgumentError("--task classify needs labels, and the data has none");
    if (task == "regress" && train.t.empty())
      throw ArgumentError("--task regress needs targets, and the data has none");
  }
  configure(resolved, input, classes);
  for (std::size_t s = 0; s < network_->stages.size(); ++s)
    network_->stages[s]->initialize(setup.seed, s);  // random::streams::layer_init
  initialize_parameters(resolved, network_->parameters);
}

void FeedForwardModel::restore(const io::Checkpoint& checkpoint, const Setup&) {
  const nn::SampleShape input{input_counter(checkpoint, "input_channels"), input_counter(checkpoint, "input_height"),
                              input_counter(checkpoint, "input_width")};
  configure(checkpoint.config, input, 0);
  for (const nn::Parameter& p : network_->parameters)
    io::copy_into(io::find_tensor(checkpoint.params, "params", p.name, p.shape), p.value);

  nn::OptimizerState state;
  for (const auto& [path, tensor] : checkpoint.state) {
    if (!path.starts_with("optimizer/")) continue;
    const std::string name = path.substr(std::string("optimizer/").size());
    const std::size_t slash = name.find('/');
    const nn::Parameter* p = slash == std::string::npos ? nullptr : network_->parameter(name.substr(slash + 1));
    if (p == nullptr) throw ArgumentError(fmt::format("the checkpoint's /state/{} belongs to no parameter", path));
    Matrix<float> values(p->value.rows(), p->value.cols());
    io::copy_into(io::find_tensor(checkpoint.state, "state", path, p->shape), values.view());
    state.tensors.emplace(name, std::move(values));
  }
  for (const auto& [path, value] : checkpoint.counters)
    if (path.starts_with("optimizer/")) state.counters[path.substr(std::string("optimizer/").size())] = value;
  try {
    network_->optimizer->load_state(state);
  } catch (const Error& e) {
    throw ArgumentError(fmt::format("the checkpoint's optimizer state does not fit --optimizer {}: {}",
                                    read_options<TrainingOptions>(checkpoint.config).optimizer, e.what()));
  }
}

void FeedForwardModel::save(io::Checkpoint& checkpoint) const {
  checkpoint.params.clear();
  checkpoint.state.clear();
  std::erase_if(checkpoint.counters, [](const auto& c) { return c.first.starts_with("optimizer/"); });
  if (!fixed_task_) checkpoint.config["task"] = std::string(to_string(task_));
  const Network& n = *network_;
  checkpoint.counters["network/input_channels"] = n.input.channels;
  checkpoint.counters["network/input_height"] = n.input.height;
  checkpoint.counters["network/input_width"] = n.input.width;
  const auto tensor = [&](ConstView<float> values, const std::vector<std::size_t>& shape) {
    io::Tensor t = io::to_tensor(values);
    t.shape = shape;
    return t;
  };
  for (const nn::Parameter& p : n.parameters) checkpoint.params[p.name] = tensor(p.value, p.shape);
  const nn::OptimizerState state = n.optimizer->state();
  for (const auto& [name, values] : state.tensors) {
    const nn::Parameter* p = n.parameter(name.substr(name.find('/') + 1));
    checkpoint.state["optimizer/" + name] = tensor(values.view(), p->shape);
  }
  for (const auto& [name, value] : state.counters) checkpoint.counters["optimizer/" + name] = value;
}

std::size_t FeedForwardModel::input_size() const { return network_->input.size(); }

bool FeedForwardModel::single_output_classifier() const {
  return task_ == Task::classify && network_->outputs_per_row() == 1;
}

float FeedForwardModel::sign_threshold() const {
  return ends_with(network_->stages.back()->architecture(), {.activation = simd::Activation::kSigmoid}) ? 0.5f : 0.0f;
}

ConstView<float> FeedForwardModel::forward(ConstView<float> x) const { return forward(*network_, x); }

ConstView<float> FeedForwardModel::forward(Network& n, ConstView<float> x) {
  ConstView<float> values = x;
  for (std::size_t s = 0; s < n.stages.size(); ++s) values = n.outputs[s] = n.stages[s]->forward(values);
  return values;
}

template <class F>
void FeedForwardModel::for_chunks(ConstView<float> x, F&& f) const {
  for (std::size_t first = 0; first < x.rows(); first += kChunk)
    f(first, forward(x.block(first, 0, std::min(kChunk, x.rows() - first), x.cols())));
}

double FeedForwardModel::train_batch(const Examples& batch, std::uint64_t) {
  const double loss = backpropagate(*network_, batch, 1.0f);
  network_->optimizer->step();
  return loss;
}

double FeedForwardModel::training_multiply_adds_per_row() const {
  std::size_t total = 0;
  for (std::size_t s = 0; s < network_->stages.size(); ++s) total += network_->stages[s]->training_multiply_adds(s > 0);
  return static_cast<double>(total);
}

std::size_t FeedForwardModel::gradient_size() const {
  std::size_t size = 0;
  for (const nn::Parameter& p : network_->parameters) size += p.grad.rows() * p.grad.cols();
  return size;
}

double FeedForwardModel::shard_gradient(const Examples& rows, const Shard& shard, std::uint64_t,
                                        std::span<float> gradient) {
  if (gradient.size() != gradient_size()) throw ArgumentError("shard_gradient: a gradient of another size");
  if (rows.x.rows() == 0) {
    std::fill(gradient.begin(), gradient.end(), 0.0f);
    return 0;
  }
  if (shard.slot >= std::max<std::size_t>(replicas_.size(), 1))
    throw ArgumentError("shard_gradient: a slot shard_slots did not grant");
  if (replicas_.empty()) shard_slots(1);  // no shards at once: shard_slots was not asked
  // Slot k computes in replica k, which reads the network's values and writes its gradient
  // straight into `gradient`.
  Network& n = *replicas_[shard.slot];
  if (n.parameters.empty() || n.parameters.front().grad.data() != gradient.data()) n.bind_gradients(gradient);
  // The losses are means over the rows they see: the shard's, scaled to its share of the batch.
  const double share = static_cast<double>(rows.x.rows()) / static_cast<double>(shard.batch_rows);
  return backpropagate(n, rows, static_cast<float>(share)) * share;
}

std::size_t FeedForwardModel::shard_slots(std::size_t wanted) {
  while (replicas_.size() < wanted) replicas_.push_back(network_->replica());
  return std::max<std::size_t>(wanted, 1);
}

void FeedForwardModel::apply_gradient(std::span<float> gradient, std::size_t, std::uint64_t) {
  if (gradient.size() != gradient_size()) throw ArgumentError("apply_gradient: a gradient of another size");
  network_->optimizer->step(gradient);
}

double FeedForwardModel::backpropagate(Network& n, const Examples& batch, float share) const {
  const std::size_t rows = batch.x.rows(), outputs = n.outputs_per_row();
  const MatrixView<float> grad = workspace(n.grad, rows, outputs);
  n.row_losses.resize(rows);
  ConstView<float> targets = batch.x;  // reconstruct; a column of targets otherwise
  if (task_ == Task::regress || (task_ == Task::classify && outputs == 1)) {
    const MatrixView<float> column = workspace(n.targets, rows, 1);
    const float low = sign_threshold() > 0 ? 0.0f : -1.0f;
    for (std::size_t r = 0; r < rows; ++r)
      column(r, 0) = task_ == Task::regress ? batch.t[r] : batch.y[r] == 1 ? 1.0f : low;
    targets = column;
  }
  // The loss of a block of rows, on the thread that has just computed their outputs.
  const auto loss = [&](std::size_t first, ConstView<float> out, MatrixView<float> g) {
    const std::size_t count = out.rows();
    const nn::LossBlock block{.minibatch_rows = rows, .row_losses = std::span(n.row_losses).subspan(first, count)};
    const ConstView<float> target = targets.block(first, 0, count, targets.cols());
    if (task_ == Task::classify && outputs > 1)
      nn::softmax_cross_entropy(out, batch.y.subspan(first, count), g, block);
    else if (task_ == Task::reconstruct && loss_ == ReconstructionLoss::cross_entropy)
      nn::binary_cross_entropy(out, target, g, block);
    else
      nn::mse_loss(out, target, g, block);
    if (share != 1.0f)
      for (std::size_t r = 0; r < count; ++r)
        for (float& v : g.row(r)) v *= share;
  };
  nn::Network::train_chain(n.chain, batch.x, grad, loss);
  double total = 0;
  for (std::size_t r = 0; r < rows; ++r) total += n.row_losses[r];
  return total;
}

Metrics FeedForwardModel::evaluate(const Examples& examples, std::uint64_t) const {
  const std::size_t rows = examples.x.rows();
  if (rows == 0) return {};
  if (task_ == Task::classify && examples.y.empty())
    throw ArgumentError("the data has no labels to score a classifier on");
  if (task_ == Task::regress && examples.t.empty())
    throw ArgumentError("the data has no targets to score a regression on");
  // Sums in double, chunk by chunk in order: the same bits for any thread count.
  double loss_sum = 0, cross_entropy_sum = 0;
  std::size_t correct = 0;
  const bool sign = single_output_classifier();
  const float threshold = sign_threshold();
  for_chunks(examples.x, [&](std::size_t first, ConstView<float> out) {
    const std::size_t n = out.rows();
    switch (task_) {
      case Task::classify:
        if (sign) {
          for (std::size_t r = 0; r < n; ++r) {
            const bool positive = examples.y[first + r] == 1;
            const double target = positive ? 1.0 : threshold > 0 ? 0.0 : -1.0, d = out(r, 0) - target;
            loss_sum += d * d;
            correct += (out(r, 0) > threshold) == positive;
          }
        } else {
          const auto labels = examples.y.subspan(first, n);
          loss_sum += nn::softmax_cross_entropy(out, labels) * static_cast<double>(n);
          for (std::size_t r = 0; r < n; ++r) {
            const std::span<const float> z = out.row(r);
            correct += std::max_element(z.begin(), z.end()) - z.begin() == labels[r];
          }
        }
        break;
      case Task::regress:
        for (std::size_t r = 0; r < n; ++r) {
          const double d = static_cast<double>(out(r, 0)) - examples.t[first + r];
          loss_sum += d * d;
        }
        break;
      case Task::reconstruct: {
        const ConstView<float> x = examples.x.block(first, 0, n, examples.x.cols());
        loss_sum += nn::mse_loss(out, x) * static_cast<double>(n * out.cols());
        if (loss_ == ReconstructionLoss::cross_entropy)
          cross_entropy_sum += nn::binary_cross_entropy(out, x) * static_cast<double>(n * out.cols());
        break;
      }
    }
  });
  const double count =
      static_cast<double>(rows) * (task_ == Task::reconstruct ? static_cast<double>(input_size()) : 1.0);
  Metrics metrics{{stopping_metric(), loss_sum / count}};
  if (task_ == Task::classify)
    metrics.push_back({"accuracy", static_cast<double>(correct) / static_cast<double>(rows)});
  if (task_ == Task::reconstruct && loss_ == ReconstructionLoss::cross_entropy)
    metrics.push_back({"cross_entropy", cross_entropy_sum / count});
  return metrics;
}

// The training loss: softmax cross-entropy for a classifier with one output per class, else MSE.
std::string FeedForwardModel::stopping_metric() const {
  return task_ == Task::classify && !single_output_classifier() ? "cross_entropy" : "mse";
}

Matrix<float> FeedForwardModel::predict(ConstView<float> x) const {
  Matrix<float> result(x.rows(), network_->outputs_per_row());
  const bool softmax = task_ == Task::classify && !single_output_classifier();
  for_chunks(x, [&](std::size_t first, ConstView<float> out) {
    for (std::size_t r = 0; r < out.rows(); ++r) {
      const std::span<const float> z = out.row(r);
      const std::span<float> p = result.row(first + r);
      if (!softmax) {
        std::copy(z.begin(), z.end(), p.begin());
        continue;
      }
      const float top = *std::max_element(z.begin(), z.end());
      double sum = 0;
      for (std::size_t i = 0; i < z.size(); ++i) sum += p[i] = std::exp(z[i] - top);
      for (float& v : p) v = static_cast<float>(v / sum);
    }
  });
  return result;
}

std::vector<std::int32_t> FeedForwardModel::classify(ConstView<float> x) const {
  if (task_ != Task::classify) return {};
  std::vector<std::int32_t> labels(x.rows());
  const float threshold = sign_threshold();
  const bool sign = single_output_classifier();
  for_chunks(x, [&](std::size_t first, ConstView<float> out) {
    for (std::size_t r = 0; r < out.rows(); ++r) {
      const std::span<const float> z = out.row(r);
      labels[first + r] = sign ? (z[0] > threshold ? 1 : 0)
                               : static_cast<std::int32_t>(std::max_element(z.begin(), z.end()) - z.begin());
    }
  });
  return labels;
}

Matrix<float> FeedForwardModel::encode(ConstView<float> x) const {
  nn::Network& encoder = *network_->stages.front();
  if (network_->stages.size() < 2) return Model::encode(x);
  Matrix<float> codes(x.rows(), encoder.output_shape().size());
  for (std::size_t first = 0; first < x.rows(); first += kChunk) {
    const ConstView<float> code = encoder.forward(x.block(first, 0, std::min(kChunk, x.rows() - first), x.cols()));
    for (std::size_t r = 0; r < code.rows(); ++r)
      std::copy_n(code.row(r).data(), code.cols(), codes.row(first + r).data());
  }
  return codes;
}

Matrix<float> FeedForwardModel::reconstruct(ConstView<float> x) const {
  if (task_ != Task::reconstruct) return Model::reconstruct(x);
  return predict(x);
}

}  // namespace gibbs::feedforward
