// The DBN plugin's model: per-layer options → one RbmModel a layer, the up and down passes.
#include "plugins/dbn/dbn_model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.sampler;

namespace gibbs::dbn {
namespace {

// Rows per pass when studying a model (reconstruct, encode): bounds the workspace.
constexpr std::size_t kChunk = 4096;

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

template <class T>
bool parse_number(std::string_view text, T& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// Layer `layer`'s value of a per-layer option: its only value, or its layer-th of one per layer.
std::string per_layer(const char* option, const std::string& text, std::size_t layer, std::size_t layers) {
  const std::vector<std::string_view> parts = split(text, '/');
  if (parts.size() != 1 && parts.size() != layers)
    throw option_error(
        option,
        fmt::format("must be one value for every layer, or one for each of the {} layers separated by /", layers),
        fmt::format("'{}'", text));
  return std::string(parts.size() == 1 ? parts.front() : parts[layer]);
}

template <class T>
T per_layer_number(const char* option, const std::string& text, std::size_t layer, std::size_t layers) {
  const std::string value = per_layer(option, text, layer, layers);
  T number{};
  if (!parse_number(value, number))
    throw option_error(option, "must be a number, or one per layer separated by /", fmt::format("'{}'", text));
  return number;
}

double mean_squared_difference(ConstView<float> a, ConstView<float> b) {
  double sum = 0;
  for (std::size_t r = 0; r < a.rows(); ++r)
    for (std::size_t c = 0; c < a.cols(); ++c) {
      const double d = static_cast<double>(a(r, c)) - b(r, c);
      sum += d * d;
    }
  return sum / static_cast<double>(a.rows() * a.cols());
}

std::string layer_prefix(std::size_t layer) { return fmt::format("layer{}.", layer + 1); }

}  // namespace

std::vector<std::size_t> DbnOptions::sizes() const {
  std::vector<std::size_t> sizes;
  for (const std::string_view part : split(layers, ',')) {
    std::size_t units = 0;
    if (!parse_number(part, units) || units == 0) {
      sizes.clear();
      break;
    }
    sizes.push_back(units);
  }
  if (sizes.size() < 2)
    throw option_error("layers", "must be two or more unit counts of at least 1, separated by commas (e.g. 784,500,2)",
                       fmt::format("'{}'", layers));
  return sizes;
}

rbm::RbmOptions DbnOptions::layer(std::size_t l) const {
  const std::vector<std::size_t> units = sizes();
  const std::size_t n = units.size() - 1;
  rbm::RbmOptions o = read_options<rbm::RbmOptions>(Config{});
  o.visible = l == 0 ? visible : "bernoulli";
  o.hidden = static_cast<std::int64_t>(units[l + 1]);
  o.hidden_units = per_layer("hidden-units", hidden_units, l, n);
  if (o.hidden_units == "auto") o.hidden_units = l + 1 == n && o.visible == "bernoulli" ? "gaussian" : "bernoulli";
  o.k = per_layer_number<std::int64_t>("k", k, l, n);
  o.negative_phase = per_layer("negative-phase", negative_phase, l, n);
  const bool gaussian = o.hidden_units == "gaussian" || o.visible == "gaussian";
  o.lr = per_layer("lr", lr, l, n) == "auto" ? (gaussian ? 0.001 : 0.1) : per_layer_number<double>("lr", lr, l, n);
  o.momentum_schedule = per_layer("momentum-schedule", momentum_schedule, l, n);
  o.weight_decay = per_layer_number<double>("weight-decay", weight_decay, l, n);
  o.init = per_layer("init", init, l, n);
  // The rbm plugin's own rules, the layer named.
  Config config;
  write_options(o, config);
  try {
    return read_options<rbm::RbmOptions>(config);
  } catch (const ArgumentError& e) {
    throw ArgumentError(fmt::format("{} (layer {})", e.what(), l + 1));
  }
}

void DbnModel::initialize(const Config& config, const io::DatasetInfo&, const Examples& train, const Setup& setup) {
  const DbnOptions o = read_options<DbnOptions>(config);
  sizes_ = o.sizes();
  if (sizes_.front() != train.x.cols())
    throw option_error("layers", fmt::format("must start at the data's width, {} values a row", train.x.cols()),
                       fmt::format("'{}'", o.layers));
  layers_.clear();
  for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
    const rbm::RbmOptions layer = o.layer(l);
    layers_.emplace_back(layer_prefix(l));
    // Layer 0 alone sees the data; --visible-bias-init logit-mean is not offered.
    layers_.back().create(layer, sizes_[l], setup, l == 0 ? train.x : ConstView<float>{});
  }
  stage_ = 0;
}

void DbnModel::restore(const io::Checkpoint& checkpoint, const Setup& setup) {
  const DbnOptions o = read_options<DbnOptions>(checkpoint.config);
  sizes_ = o.sizes();
  std::vector<std::size_t> stored;
  for (std::size_t l = 0;; ++l) {
    const auto w = checkpoint.params.find(layer_prefix(l) + "W");
    if (w == checkpoint.params.end()) break;
    if (w->second.shape.size() != 2 || (l > 0 && w->second.shape[0] != stored.back()))
      throw ArgumentError(
          fmt::format("the checkpoint's /params/{}W does not continue the layers below it", layer_prefix(l)));
    if (l == 0) stored.push_back(w->second.shape[0]);
    stored.push_back(w->second.shape[1]);
  }
  if (stored != sizes_)
    throw ArgumentError(
        fmt::format("--layers {} does not match the checkpoint's stack {}", o.layers,
                    stored.empty() ? std::string("(none)") : fmt::format("{}", fmt::join(stored, ","))));
  layers_.clear();
  for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
    layers_.emplace_back(layer_prefix(l));
    layers_.back().restore(o.layer(l), checkpoint, setup);
  }
  const auto stage = checkpoint.counters.find("dbn/stage");
  stage_ = stage == checkpoint.counters.end() ? 0 : std::min<std::size_t>(stage->second, layers_.size() - 1);
}

void DbnModel::save(io::Checkpoint& checkpoint) const {
  std::vector<io::TensorSlot> slots;
  for (rbm::RbmModel& layer : const_cast<DbnModel*>(this)->layers_)
    for (io::TensorSlot& slot : layer.tensors()) slots.push_back(std::move(slot));
  io::save_tensors(slots, checkpoint);
  checkpoint.counters["dbn/stage"] = stage_;  // the layer the study commands score
}

void DbnModel::begin_stage(std::size_t stage) { stage_ = stage; }

void DbnModel::begin_epoch(std::uint64_t epoch) { layers_[stage_].begin_epoch(epoch); }

ConstView<float> DbnModel::up_to_stage(ConstView<float> x) {
  batch_up_.resize(layers_.size());
  ConstView<float> in = x;
  for (std::size_t l = 0; l < stage_; ++l) {
    Matrix<float>& m = batch_up_[l];
    if (m.rows() < in.rows()) m = Matrix<float>(in.rows(), sizes_[l + 1]);
    const MatrixView<float> h = m.view().block(0, 0, in.rows(), sizes_[l + 1]);
    layers_[l].rbm().hidden_means(in, h);
    in = h;
  }
  return in;
}

double DbnModel::train_batch(const Examples& batch, std::uint64_t step) {
  return layers_[stage_].train_batch({up_to_stage(batch.x), batch.y, batch.t}, step);
}

double DbnModel::shard_gradient(const Examples& rows, const Shard& shard, std::uint64_t step,
                                std::span<float> gradient) {
  return layers_[stage_].shard_gradient({up_to_stage(rows.x), rows.y, rows.t}, shard, step, gradient);
}

void DbnModel::up(ConstView<float> x, std::size_t count, MatrixView<float> out) const {
  if (count == 0) {
    for (std::size_t r = 0; r < x.rows(); ++r) std::copy_n(x.row(r).data(), x.cols(), out.row(r).data());
    return;
  }
  Matrix<float> below;
  ConstView<float> in = x;
  for (std::size_t l = 0; l + 1 < count; ++l) {
    Matrix<float> hidden(x.rows(), sizes_[l + 1]);
    layers_[l].rbm().hidden_means(in, hidden);
    below = std::move(hidden);
    in = below;
  }
  layers_[count - 1].rbm().hidden_means(in, out);
}

Matrix<float> DbnModel::up(ConstView<float> x, std::size_t count) const {
  Matrix<float> out(x.rows(), sizes_[count]);
  up(x, count, out);
  return out;
}

Matrix<float> DbnModel::down(ConstView<float> hidden, std::size_t from) const {
  Matrix<float> values(hidden);
  for (std::size_t l = from + 1; l-- > 0;) {
    Matrix<float> visible(hidden.rows(), sizes_[l]);
    layers_[l].rbm().visible_means(values, visible);
    values = std::move(visible);
  }
  return values;
}

Metrics DbnModel::evaluate(const Examples& examples, std::uint64_t draws) const {
  const Matrix<float> input = up(examples.x, stage_);
  const Matrix<float> back = down(layers_[stage_].encode(input), stage_);
  Metrics metrics{{"reconstruction_mse", mean_squared_difference(back, examples.x)}};
  for (const Metric& m : layers_[stage_].evaluate({input, examples.y, examples.t}, draws))
    if (m.name == "reconstruction_mse" || m.name == "free_energy_gap") metrics.push_back({"layer_" + m.name, m.value});
  return metrics;
}

Matrix<float> DbnModel::reconstruct(ConstView<float> x) const {
  if (x.cols() != input_size())
    throw ShapeError("reconstruct: rows of one value per visible unit", x.shape(), {x.rows(), input_size()});
  Matrix<float> out(x.rows(), x.cols());
  for (std::size_t first = 0; first < x.rows(); first += kChunk) {
    const std::size_t rows = std::min(kChunk, x.rows() - first);
    const Matrix<float> back = down(up(x.block(first, 0, rows, x.cols()), layers_.size()), layers_.size() - 1);
    for (std::size_t r = 0; r < rows; ++r) std::copy_n(back.row(r).data(), x.cols(), out.row(first + r).data());
  }
  return out;
}

Matrix<float> DbnModel::encode(ConstView<float> x) const {
  if (x.cols() != input_size())
    throw ShapeError("encode: rows of one value per visible unit", x.shape(), {x.rows(), input_size()});
  Matrix<float> codes(x.rows(), sizes_.back());
  for (std::size_t first = 0; first < x.rows(); first += kChunk) {
    const std::size_t rows = std::min(kChunk, x.rows() - first);
    up(x.block(first, 0, rows, x.cols()), layers_.size(), codes.view().block(first, 0, rows, codes.cols()));
  }
  return codes;
}

void DbnModel::sample(MatrixView<float> states, std::span<const std::size_t> clamped, std::uint64_t seed,
                      std::size_t steps, std::size_t every,
                      const std::function<void(std::size_t, ConstView<float>)>& snapshot) const {
  if (!clamped.empty())
    throw Error("the dbn model cannot clamp units: its chains run in the top RBM, above the data's units");
  if (states.cols() != input_size())
    throw ShapeError("sample: chains of one value per visible unit", states.shape(), {states.rows(), input_size()});
  const std::size_t top = layers_.size() - 1;
  Matrix<float> chains = up(states, top);
  const auto to_data = [&](ConstView<float> v) { return top == 0 ? Matrix<float>(v) : down(v, top - 1); };
  layers_[top].sample(chains, {}, seed, steps, every, [&](std::size_t step, ConstView<float> means) {
    if (snapshot) snapshot(step, to_data(means));
  });
  const Matrix<float> end = to_data(chains);
  for (std::size_t r = 0; r < states.rows(); ++r) std::copy_n(end.row(r).data(), states.cols(), states.row(r).data());
}

}  // namespace gibbs::dbn
