// Network: shape checks at construction, fused forward, backward through alternating buffers.
module;
#include <fmt/format.h>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>
module gibbs.nn;
import gibbs.core;
import gibbs.simd;
import gibbs.random;

namespace gibbs::nn {
namespace {

std::vector<std::unique_ptr<Layer>> make_layers(const Architecture& a) {
  std::vector<std::unique_ptr<Layer>> layers;
  SampleShape shape = a.input;
  for (const LayerSpec& spec : a.layers) {
    layers.push_back(make_layer(spec, shape));
    shape = layers.back()->output_shape(shape);
  }
  return layers;
}

// Rows each thread takes at least when a network cuts a minibatch (Network's class comment).
constexpr std::size_t kRowsPerThread = 16;
// Tasks per thread the parameter gradients are cut into, of about equal work each.
constexpr std::size_t kGradientTasksPerThread = 4;

// Rows [first, last) of m, or m itself when it is empty.
template <class T>
MatrixView<T> rows_of(MatrixView<T> m, std::size_t first, std::size_t last) {
  return m.empty() ? m : m.block(first, 0, last - first, m.cols());
}

std::size_t floats_in(const std::vector<Parameter>& parameters) {
  std::size_t floats = 0;
  for (const Parameter& p : parameters) floats += p.grad.rows() * p.grad.cols();
  return floats;
}

}  // namespace

Network::Network(SampleShape input, std::vector<std::unique_ptr<Layer>> layers)
    : input_(input),
      layers_(std::move(layers)),
      fused_(layers_.size(), 0),
      pooled_(layers_.size(), 0),
      values_(layers_.size()),
      picks_(layers_.size()),
      outputs_(layers_.size()),
      inputs_(layers_.size()),
      input_grads_(layers_.size()),
      grads_out_(layers_.size()),
      grads_in_(layers_.size()) {
  SampleShape shape = input;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (!layers_[i]) throw ArgumentError("network: layer " + std::to_string(i) + " is null");
    try {
      shape = layers_[i]->output_shape(shape);
    } catch (const ArgumentError& e) {
      throw ArgumentError("network: layer " + std::to_string(i) + " (" + to_string(layers_[i]->spec()) +
                          "): " + e.what());
    }
    shapes_.push_back(shape);
  }
  for (std::size_t i = 0; i + 1 < layers_.size(); ++i) {
    const LayerKind kind = layers_[i]->spec().kind;
    const bool linear = kind == LayerKind::kDense || kind == LayerKind::kConv2d;
    fused_[i] = linear && layers_[i + 1]->epilogue().has_value();
    pooled_[i] = fused_[i] && kind == LayerKind::kConv2d && i + 2 < layers_.size() &&
                 layers_[i + 2]->spec().kind == LayerKind::kMaxPool2d &&
                 static_cast<const MaxPool2d&>(*layers_[i + 2]).has_picks();
  }
  splits_rows_ = std::ranges::none_of(layers_, [](const auto& layer) {
    const LayerKind kind = layer->spec().kind;
    return kind == LayerKind::kConv2d || kind == LayerKind::kMaxPool2d;
  });
  for (std::size_t i = 0, params = 0, computes = 0; i < layers_.size(); ++i) {
    params_before_.push_back(params);
    computes_before_.push_back(computes);
    params += layers_[i]->parameters().empty() ? 0 : 1;
    computes += layers_[i]->passes_through() ? 0 : 1;
  }
}

Network::Network(const Architecture& architecture) : Network(architecture.input, make_layers(architecture)) {}

void Network::initialize(std::uint64_t seed, std::uint64_t stage) {
  for (std::size_t i = 0; i < layers_.size(); ++i) layers_[i]->initialize(random::streams::layer_init(seed, stage, i));
}

Architecture Network::architecture() const {
  Architecture a{.input = input_, .layers = {}, .shapes = shapes_};
  for (const auto& layer : layers_) a.layers.push_back(layer->spec());
  return a;
}

ConstView<float> Network::forward(ConstView<float> input) {
  const ConstView<float> output = plan_forward(input);
  for_row_blocks([&](std::size_t first, std::size_t last) { forward_rows(first, last); });
  forwarded_ = true;
  return output;
}

ConstView<float> Network::plan_forward(ConstView<float> input) {
  require_shape("network", "input", input.shape(), {input.rows(), input_.size()});
  const std::size_t batch = input.rows();
  forwarded_ = false;
  ConstView<float> current = input;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    inputs_[i] = current;
    if (layers_[i]->passes_through()) {
      outputs_[i] = current;
      continue;
    }
    if (pooled_[i]) {
      picks_[i + 2].resize(batch * static_cast<const MaxPool2d&>(*layers_[i + 2]).picks_per_sample());
      // The activation's output is stored only for a backward other than the relu's, which the
      // pooling's picks replace.
      outputs_[i] = inputs_[i + 1] = outputs_[i + 1] = inputs_[i + 2] = {};
      if (layers_[i + 1]->epilogue() != simd::Activation::kRelu)
        outputs_[i + 1] = inputs_[i + 2] = values_[i + 1].view(batch, shapes_[i + 1].size());
      outputs_[i + 2] = current = values_[i + 2].view(batch, shapes_[i + 2].size());
      i += 2;
      continue;
    }
    if (fused_[i]) {
      outputs_[i] = inputs_[i + 1] = {};
      ++i;
      outputs_[i] = current = values_[i].view(batch, shapes_[i].size());
      continue;
    }
    outputs_[i] = current = values_[i].view(batch, shapes_[i].size());
  }
  batch_ = batch;
  batch_input_ = input;
  return current;
}

void Network::forward_rows(std::size_t first, std::size_t last) {
  const auto rows = [&](ConstView<float> m) { return rows_of(m, first, last); };
  // Views of our own buffers, to write to.
  const auto out = [&](std::size_t i) { return rows_of(values_[i].view(batch_, shapes_[i].size()), first, last); };
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    Layer& layer = *layers_[i];
    if (layer.passes_through()) continue;
    // A conv2d, its activation and a 2×2 max pooling: the pooling runs on each of the conv2d's
    // chunks of samples as the GEMM leaves it, in the chunk's cache. A relu's output is never
    // stored; another activation's is copied to its rows for the backward. (Such a network takes
    // all its rows at once.)
    if (pooled_[i]) {
      const simd::Activation activation = *layers_[i + 1]->epilogue();
      const MatrixView<float> z = out(i + 2),
                              stored = activation == simd::Activation::kRelu ? MatrixView<float>() : out(i + 1);
      const auto& pool = static_cast<const MaxPool2d&>(*layers_[i + 2]);
      std::vector<std::uint8_t>& picks = picks_[i + 2];  // for a relu's backward, which reads neither y nor z
      const std::size_t plane = shapes_[i].height * shapes_[i].width;
      static_cast<Conv2d&>(layer).forward_blocks(rows(inputs_[i]), activation,
                                                 [&](std::size_t b, std::size_t e, MatrixView<float> y) {
                                                   if (!stored.empty())
                                                     blocks_to_rows(y, plane, stored.block(b, 0, e - b, stored.cols()));
                                                   pool.forward_blocks(y, z, picks, b, e);
                                                 });
      i += 2;
      continue;
    }
    if (fused_[i]) {
      layer.forward_fused(rows(inputs_[i]), out(i + 1), *layers_[i + 1]->epilogue());
      ++i;
      continue;
    }
    layer.forward(rows(inputs_[i]), out(i));
  }
}

void Network::for_row_blocks(RangeBody body) const {
  if (splits_rows_) return for_row_groups(batch_, kRowsPerThread, body);
  body(0, batch_);
}

void Network::backward(ConstView<float> input, ConstView<float> grad_output, MatrixView<float> grad_input) {
  if (!forwarded_ || input.rows() != batch_)
    throw ArgumentError("network: backward needs the forward of the same minibatch first");
  require_shape("network", "input", input.shape(), {batch_, input_.size()});
  require_shape("network", "grad_output", grad_output.shape(), {batch_, output_shape().size()});
  if (!grad_input.empty()) require_shape("network", "grad_input", grad_input.shape(), input.shape());
  if (splits_rows_) return backward_in_blocks(grad_output, grad_input);
  ConstView<float> grad = grad_output;
  int holder = -1;           // which of grad_buffers_ holds grad (-1: neither)
  bool relu_folded = false;  // grad already went through the relu before it (see below)
  for (std::size_t i = layers_.size(); i-- > 0;) {
    Layer& layer = *layers_[i];
    if (layer.passes_through()) continue;
    const auto input_gradient = [&](std::size_t j) {    // where layer j's input gradient goes, if anywhere
      if (computes_before_[j] == 0) return grad_input;  // the network's own, or none
      if (params_before_[j] == 0 && grad_input.empty()) return MatrixView<float>();
      holder = holder == 0 ? 1 : 0;
      return grad_buffers_[holder].view(batch_, j == 0 ? input_.size() : shapes_[j - 1].size());
    };
    // The linear layer of a fused pair whose relu's backward is folded into the max pooling's
    // after it: its plain backward, from the gradient of its output.
    if (relu_folded) {
      relu_folded = false;
      const MatrixView<float> grad_in = input_gradient(i - 1);
      layers_[i - 1]->backward(i == 1 ? input : outputs_[i - 2], outputs_[i - 1], grad, grad_in);
      if (grad_in.empty() || computes_before_[i - 1] == 0) return;
      grad = grad_in;
      --i;
      continue;
    }
    // Max pooling after a fused linear layer and relu (the CNN's conv, relu, maxpool): each
    // window's gradient goes to its pick only, and the relu passes it where the pick, the
    // pooling's output, is > 0; so the relu's backward is done here on the pooling's output
    // gradient (a quarter of the values for 2×2 windows, in our own buffer, or copied there from
    // the network's grad_output for a pooled_ pair) and the linear layer skips it: the same
    // values, without a pass over the relu's output.
    const bool pooled = i >= 2 && pooled_[i - 2] != 0;
    if ((holder >= 0 || pooled) && i >= 2 && fused_[i - 2] != 0 && layer.spec().kind == LayerKind::kMaxPool2d &&
        layers_[i - 1]->epilogue() == simd::Activation::kRelu) {
      holder = std::max(holder, 0);
      const MatrixView<float> dy = grad_buffers_[holder].view(batch_, grad.cols());
      const ConstView<float> y = outputs_[i];
      for_rows(batch_, dy.cols(), [&](std::size_t r0, std::size_t r1) {
        for (std::size_t r = r0; r < r1; ++r)  // in place or not: the kernel loads each vector before storing it
          activation_backward(simd::Activation::kRelu, y.row(r).data(), grad.row(r).data(), dy.row(r).data(),
                              dy.cols());
      });
      // A pooled_ pair: the pooling's backward writes the conv2d's output gradient chunk by chunk.
      if (pooled) {
        const MatrixView<float> grad_in = input_gradient(i - 2);
        const auto& pool = static_cast<const MaxPool2d&>(layer);
        static_cast<Conv2d&>(*layers_[i - 2])
            .backward_blocks(i == 2 ? input : outputs_[i - 3], grad_in,
                             [&](std::size_t b, std::size_t e, MatrixView<float> blocks) {
                               pool.backward_blocks(picks_[i], dy, blocks, b, e);
                             });
        if (grad_in.empty() || computes_before_[i - 2] == 0) return;
        grad = grad_in;
        i -= 2;
        continue;
      }
      const MatrixView<float> grad_in = input_gradient(i);
      layer.backward(outputs_[i - 1], y, dy, grad_in);
      if (grad_in.empty() || computes_before_[i] == 0) return;
      grad = grad_in;
      relu_folded = true;  // the relu (layer i − 1) is done
      continue;
    }
    // A fused pair whose first layer runs both backward passes at once (conv2d).
    if (i > 0 && fused_[i - 1] != 0) {
      const int saved = holder;
      const MatrixView<float> grad_in = input_gradient(i - 1);
      if (layers_[i - 1]->backward_fused(i == 1 ? input : outputs_[i - 2], outputs_[i], grad, *layer.epilogue(),
                                         grad_in)) {
        if (grad_in.empty() || computes_before_[i - 1] == 0) return;
        grad = grad_in;
        --i;
        continue;
      }
      holder = saved;
    }
    const ConstView<float> in = i == 0 ? input : outputs_[i - 1];  // empty when fused into layer i − 1
    const MatrixView<float> grad_in = input_gradient(i);
    layer.backward(in, outputs_[i], grad, grad_in);
    if (grad_in.empty() || computes_before_[i] == 0) return;  // nothing before this layer needs a gradient
    grad = grad_in;
  }
  // Only layers that pass through: ∂L/∂input is ∂L/∂output.
  for (std::size_t r = 0; r < grad_input.rows(); ++r) std::ranges::copy(grad_output.row(r), grad_input.row(r).begin());
}

void Network::plan_backward(ConstView<float> grad_output, MatrixView<float> grad_input) {
  ConstView<float> grad = grad_output;
  lowest_ = layers_.size();
  for (std::size_t i = layers_.size(); i-- > 0;) {
    if (layers_[i]->passes_through()) continue;
    lowest_ = i;
    grads_out_[i] = grad;
    if (computes_before_[i] == 0)
      grads_in_[i] = grad_input;  // the network's own, or none
    else if (params_before_[i] == 0 && grad_input.empty())
      grads_in_[i] = {};
    else
      grads_in_[i] = input_grads_[i].view(batch_, i == 0 ? input_.size() : shapes_[i - 1].size());
    if (grads_in_[i].empty()) break;
    grad = grads_in_[i];
  }
}

void Network::backward_rows(std::size_t first, std::size_t last) {
  const auto rows = [&](ConstView<float> m) { return rows_of(m, first, last); };
  for (std::size_t i = layers_.size(); i-- > lowest_;) {
    Layer& layer = *layers_[i];
    const MatrixView<float> grad_in = rows_of(grads_in_[i], first, last);
    if (layer.passes_through() || grad_in.empty()) continue;
    if (layer.spec().kind == LayerKind::kDense)
      static_cast<Dense&>(layer).backward_input(rows(grads_out_[i]), grad_in);
    else
      layer.backward(rows(inputs_[i]), rows(outputs_[i]), rows(grads_out_[i]), grad_in);
  }
}

std::size_t Network::gradient_work() const {
  std::size_t work = 0;
  for (std::size_t i = lowest_; i < layers_.size(); ++i)
    if (layers_[i]->spec().kind == LayerKind::kDense) work += layers_[i]->multiply_adds();
  return work;
}

void Network::add_gradient_tasks(std::size_t piece, std::vector<GradientTask>& tasks) const {
  for (std::size_t i = lowest_; i < layers_.size(); ++i) {
    if (layers_[i]->spec().kind != LayerKind::kDense) continue;
    const std::size_t inputs = static_cast<const Dense&>(*layers_[i]).inputs();
    const std::size_t parts = std::clamp<std::size_t>(layers_[i]->multiply_adds() / piece, 1, inputs);
    for (std::size_t p = 0; p < parts; ++p)
      tasks.push_back(
          {layers_[i].get(), inputs_[i], grads_out_[i], inputs * p / parts, inputs * (p + 1) / parts, p + 1 == parts});
  }
}

void Network::run_gradient_tasks(std::span<Network* const> networks, std::vector<GradientTask>& tasks, bool add) {
  std::size_t work = 0;
  for (const Network* n : networks) work += n->gradient_work();
  const std::size_t pieces = kGradientTasksPerThread * static_cast<std::size_t>(thread_count());
  const std::size_t piece = std::max<std::size_t>(1, (work + pieces - 1) / pieces);
  tasks.clear();
  for (const Network* n : networks) n->add_gradient_tasks(piece, tasks);
  for_serial_tasks(tasks.size(), [&](std::size_t t, std::size_t) {
    const GradientTask& task = tasks[t];
    static_cast<Dense&>(*task.layer)
        .parameter_gradients(task.input, task.grad_output, task.first, task.last, task.bias, add);
  });
}

void Network::backward_in_blocks(ConstView<float> grad_output, MatrixView<float> grad_input) {
  plan_backward(grad_output, grad_input);
  if (lowest_ == layers_.size()) {  // only layers that pass through: ∂L/∂input is ∂L/∂output
    for (std::size_t r = 0; r < grad_input.rows(); ++r)
      std::ranges::copy(grad_output.row(r), grad_input.row(r).begin());
    return;
  }
  for_row_blocks([&](std::size_t first, std::size_t last) { backward_rows(first, last); });
  Network* self = this;
  run_gradient_tasks({&self, 1}, gradient_tasks_, true);
}

void Network::train_chain(std::span<Network* const> chain, ConstView<float> input, MatrixView<float> grad_output,
                          LossRows loss) {
  if (chain.empty()) throw ArgumentError("network: train_chain needs a network");
  for (std::size_t s = 1; s < chain.size(); ++s)
    if (chain[s]->input_.size() != chain[s - 1]->output_shape().size())
      throw ArgumentError(fmt::format("network: network {} of the chain takes {} values a row, and network {} gives {}",
                                      s, chain[s]->input_.size(), s - 1, chain[s - 1]->output_shape().size()));
  const std::size_t batch = input.rows();
  require_shape("network", "grad_output", grad_output.shape(), {batch, chain.back()->output_shape().size()});
  // ∂L/∂(network s's input), s > 0: the gradient network s − 1 goes back from.
  const auto grad_input = [&](std::size_t s) {
    return s == 0 ? MatrixView<float>() : chain[s]->input_grad_.view(batch, chain[s]->input_.size());
  };
  const bool in_blocks = std::ranges::all_of(chain, [](const Network* n) {
    return n->splits_rows_ &&
           std::ranges::any_of(n->layers_, [](const auto& layer) { return !layer->passes_through(); });
  });
  if (!in_blocks) {
    for (Network* n : chain) n->zero_grad();
    ConstView<float> output = input;
    for (Network* n : chain) output = n->forward(output);
    loss(0, output, grad_output);
    ConstView<float> grad = grad_output;
    for (std::size_t s = chain.size(); s-- > 0;) {
      chain[s]->backward(chain[s]->batch_input_, grad, grad_input(s));
      grad = grad_input(s);
    }
    return;
  }
  ConstView<float> output = input;
  for (Network* n : chain) output = n->plan_forward(output);
  ConstView<float> grad = grad_output;
  for (std::size_t s = chain.size(); s-- > 0;) {
    chain[s]->plan_backward(grad, grad_input(s));
    grad = grad_input(s);
  }
  chain.front()->for_row_blocks([&](std::size_t first, std::size_t last) {
    for (Network* n : chain) n->forward_rows(first, last);
    loss(first, rows_of(output, first, last), rows_of(grad_output, first, last));
    for (std::size_t s = chain.size(); s-- > 0;) chain[s]->backward_rows(first, last);
  });
  for (Network* n : chain) n->forwarded_ = true;
  run_gradient_tasks(chain, chain.front()->gradient_tasks_, false);
}

void Network::zero_grad() {
  for (const auto& layer : layers_) layer->zero_grad();
}

void Network::share_values(Network& from) {
  const Architecture mine = architecture(), theirs = from.architecture();
  if (mine.input != theirs.input || mine.layers != theirs.layers)
    throw ArgumentError("network: shares values only with a network of the same architecture");
  for (std::size_t i = 0; i < layers_.size(); ++i) layers_[i]->share_values(*from.layers_[i]);
}

std::size_t Network::training_multiply_adds(bool input_gradient) const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const std::size_t forward = layers_[i]->multiply_adds();
    total += 2 * forward + (input_gradient || params_before_[i] > 0 ? forward : 0);
  }
  return total;
}

std::size_t Network::gradient_size() { return floats_in(parameters()); }

void Network::bind_gradients(std::span<float> storage) {
  if (storage.size() != gradient_size())
    throw ArgumentError(fmt::format("network: gradients take {} floats, not {}", gradient_size(), storage.size()));
  for (const auto& layer : layers_) {
    const std::size_t floats = floats_in(layer->parameters());
    layer->bind_gradients(storage.first(floats));
    storage = storage.subspan(floats);
  }
}

std::vector<Parameter> Network::parameters() {
  std::vector<Parameter> all;
  for (std::size_t i = 0; i < layers_.size(); ++i)
    for (Parameter& p : layers_[i]->parameters()) {
      p.name = std::to_string(i) + "." + p.name;
      all.push_back(std::move(p));
    }
  return all;
}

}  // namespace gibbs::nn
