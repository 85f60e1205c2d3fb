// The RBM plugin's model: options → settings, parameters ↔ checkpoint, scores → metrics.
#include "plugins/rbm/rbm_model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.random;
import gibbs.sampler;
import gibbs.simd;

namespace gibbs::rbm {
namespace {

using sampler::VisibleUnits;

template <class T>
bool parse_number(std::string_view text, T& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

void initialize_weights(sampler::Rbm& rbm, const std::string& init, std::uint64_t seed) {
  if (init == "uniform-glorot4") return sampler::initialize_uniform_glorot4(rbm, seed);
  float sigma = 0;
  if (!init.starts_with("normal:") || !parse_number(std::string_view(init).substr(7), sigma) || !(sigma >= 0))
    throw option_error("init", "must be normal:SIGMA (SIGMA ≥ 0) or uniform-glorot4", fmt::format("'{}'", init));
  sampler::initialize_normal(rbm, sigma, seed);
}

// b_i = log(p_i / (1 − p_i)), p_i the unit's mean over the training rows, kept in [0.001, 0.999].
void logit_mean_bias(sampler::Rbm& rbm, ConstView<float> x) {
  std::vector<float> sums(x.cols());
  simd::column_sums(x, sums);
  for (std::size_t i = 0; i < x.cols(); ++i) {
    const double p = std::clamp(static_cast<double>(sums[i]) / static_cast<double>(x.rows()), 0.001, 0.999);
    rbm.visible_bias()[i] = static_cast<float>(std::log(p / (1 - p)));
  }
}

}  // namespace

EpochSchedule EpochSchedule::parse(const char* option, const std::string& text, float constant,
                                   const std::function<bool(float)>& valid, const char* values, const char* example) {
  EpochSchedule schedule;
  if (text == "none") {
    schedule.steps.push_back({constant, 0});
    return schedule;
  }
  const auto bad = [&] {
    return option_error(option, fmt::format("must be VALUE:EPOCHS,...,VALUE (e.g. {}) {}, or none", example, values),
                        fmt::format("'{}'", text));
  };
  std::string_view rest = text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view part = rest.substr(0, comma);
    const std::size_t colon = part.find(':');
    float value = 0;
    std::uint64_t epochs = 0;
    if (!parse_number(part.substr(0, colon), value) || !valid(value)) throw bad();
    if (comma == std::string_view::npos) {
      if (colon != std::string_view::npos) throw bad();
      schedule.steps.push_back({value, 0});
      return schedule;
    }
    if (colon == std::string_view::npos || !parse_number(part.substr(colon + 1), epochs) || epochs == 0) throw bad();
    schedule.steps.push_back({value, epochs});
    rest = rest.substr(comma + 1);
  }
}

float EpochSchedule::at(std::uint64_t epoch) const {
  for (const auto& [value, epochs] : steps) {
    if (epochs == 0 || epoch < epochs) return value;
    epoch -= epochs;
  }
  return steps.back().first;
}

void RbmModel::configure(const RbmOptions& o, std::size_t batch_size) {
  learning_rate_ = EpochSchedule::parse(
      "lr-schedule", o.lr_schedule, static_cast<float>(o.lr), [](float lr) { return lr > 0 && std::isfinite(lr); },
      "with positive values", "0.01:80,0.001");
  momentum_ = EpochSchedule::parse(
      "momentum-schedule", o.momentum_schedule, static_cast<float>(o.momentum), [](float m) { return m >= 0 && m < 1; },
      "with values in [0, 1)", "0.5:5,0.9");
  const sampler::ContrastiveSettings settings{.k = static_cast<std::size_t>(o.k),
                                              .persistent = o.persistent,
                                              .momentum = std::any_of(momentum_.steps.begin(), momentum_.steps.end(),
                                                                      [](const auto& s) { return s.first != 0; }),
                                              .weight_decay = static_cast<float>(o.weight_decay),
                                              .sparsity_target = static_cast<float>(o.sparsity_target),
                                              .sparsity_cost = static_cast<float>(o.sparsity_cost),
                                              .visible_bias = !o.no_visible_bias,
                                              .visible_means = o.negative_phase == "mean"};
  rbm_.set_visible_clip(static_cast<float>(o.visible_clip));
  cd_.emplace(rbm_, batch_size, settings);
}

std::vector<io::TensorSlot> RbmModel::tensors() {
  std::vector<io::TensorSlot> slots = {io::tensor_slot("params", prefix_ + "W", rbm_.weights()),
                                       io::tensor_slot("params", prefix_ + "visible_bias", rbm_.visible_bias()),
                                       io::tensor_slot("params", prefix_ + "hidden_bias", rbm_.hidden_bias())};
  if (!cd_) return slots;
  // State a run started without (e.g. momentum given on --resume) starts at zero.
  const auto state = [&](const char* name, auto values) {
    io::TensorSlot slot = io::tensor_slot("state", prefix_ + name, values);
    slot.required = false;
    slots.push_back(std::move(slot));
  };
  const sampler::ContrastiveSettings& s = cd_->settings();
  const std::size_t visible = rbm_.visible();
  if (s.momentum) {
    state("optimizer/W_velocity", cd_->weight_velocity().view());
    state("optimizer/visible_bias_velocity", cd_->bias_velocity().values().first(visible));
    state("optimizer/hidden_bias_velocity", cd_->bias_velocity().values().subspan(visible));
  }
  if (s.persistent) state("chains/hidden", cd_->persistent_hidden().view());
  if (s.sparsity_target > 0) state("sparsity/hidden_activity", cd_->hidden_activity().values());
  return slots;
}

void RbmModel::initialize(const Config& config, const io::DatasetInfo&, const Examples& train, const Setup& setup) {
  create(read_options<RbmOptions>(config), train.x.cols(), setup, train.x);
}

void RbmModel::create(const RbmOptions& o, std::size_t visible, const Setup& setup, ConstView<float> data) {
  const VisibleUnits units = sampler::parse_visible_units(o.visible);
  if (units == VisibleUnits::gaussian && o.hidden_units == "gaussian")
    throw option_error("hidden-units", "gaussian needs --visible bernoulli", "'gaussian'");
  rbm_ = sampler::Rbm(visible, static_cast<std::size_t>(o.hidden), units, sampler::parse_hidden_units(o.hidden_units));
  seed_ = setup.seed;
  initialize_weights(rbm_, o.init, seed_);
  if (o.visible_bias_init == "logit-mean") {
    if (units != VisibleUnits::bernoulli)
      throw option_error("visible-bias-init", "logit-mean needs --visible bernoulli", "'logit-mean'");
    if (data.rows() == 0) throw option_error("visible-bias-init", "logit-mean needs the training rows", "'logit-mean'");
    if (!o.no_visible_bias) logit_mean_bias(rbm_, data);
  }
  configure(o, setup.batch_size);
}

void RbmModel::restore(const io::Checkpoint& checkpoint, const Setup& setup) {
  restore(read_options<RbmOptions>(checkpoint.config), checkpoint, setup);
}

void RbmModel::restore(const RbmOptions& o, const io::Checkpoint& checkpoint, const Setup& setup) {
  const auto w = checkpoint.params.find(prefix_ + "W");
  if (w == checkpoint.params.end() || w->second.shape.size() != 2)
    throw ArgumentError(fmt::format("the checkpoint has no /params/{}W [visible, hidden]", prefix_));
  const std::size_t visible = w->second.shape[0], hidden = w->second.shape[1];
  if (static_cast<std::size_t>(o.hidden) != hidden)
    throw ArgumentError(fmt::format("--hidden {} does not match the checkpoint's {} hidden units", o.hidden, hidden));
  rbm_ = sampler::Rbm(visible, hidden, sampler::parse_visible_units(o.visible),
                      sampler::parse_hidden_units(o.hidden_units));
  seed_ = setup.seed;
  configure(o, setup.batch_size);
  const sampler::ContrastiveSettings& s = cd_->settings();
  if (const auto it = checkpoint.state.find(prefix_ + "chains/hidden");
      s.persistent && it != checkpoint.state.end() && it->second.shape != std::vector<std::size_t>{s.chains, hidden})
    throw ArgumentError(fmt::format("the checkpoint's {} persistent chains do not match --batch-size {}",
                                    it->second.shape.empty() ? 0 : it->second.shape[0], s.chains));
  io::restore_tensors(tensors(), checkpoint);
}

void RbmModel::save(io::Checkpoint& checkpoint) const {
  // The one list of tensors serves both directions; saving only reads through it.
  io::save_tensors(const_cast<RbmModel*>(this)->tensors(), checkpoint);
}

void RbmModel::begin_epoch(std::uint64_t epoch) {
  current_learning_rate_ = learning_rate_.at(epoch);
  current_momentum_ = momentum_.at(epoch);
}

double RbmModel::train_batch(const Examples& batch, std::uint64_t step) {
  return cd_->step(rbm_, batch.x, current_learning_rate_, current_momentum_, seed_, step);
}

std::size_t RbmModel::gradient_size() const { return cd_->gradient_size(); }
double RbmModel::training_multiply_adds_per_row() const { return cd_ ? cd_->multiply_adds_per_row() : 0.0; }

double RbmModel::shard_gradient(const Examples& rows, const Shard& shard, std::uint64_t step,
                                std::span<float> gradient) {
  const RowRange data = shard_rows(shard.batch_rows, shard.index, shard.count);
  const RowRange chains = shard_rows(cd_->settings().chains, shard.index, shard.count);
  return cd_->shard_step(rbm_, rows.x, data.begin, shard.batch_rows, chains.begin, chains.size(), seed_, step,
                         gradient);
}

void RbmModel::apply_gradient(std::span<float> gradient, std::size_t batch_rows, std::uint64_t) {
  cd_->apply_step(rbm_, gradient, batch_rows, current_learning_rate_, current_momentum_);
}

std::vector<MatrixView<float>> RbmModel::sharded_state() {
  if (!cd_->settings().persistent) return {};
  return {cd_->persistent_hidden().view()};
}

Metrics RbmModel::evaluate(const Examples& examples, std::uint64_t draws) const {
  const sampler::Scores s = sampler::score(
      rbm_, examples.x, random::streams::rbm_draw(seed_, random::streams::RbmDraw::pseudo_likelihood, draws));
  Metrics metrics{{"reconstruction_mse", s.reconstruction_mse}};
  if (rbm_.units() == VisibleUnits::bernoulli) {
    metrics.push_back({"reconstruction_cross_entropy", s.reconstruction_cross_entropy});
    metrics.push_back({"pseudo_likelihood", s.pseudo_likelihood});
  }
  metrics.push_back({"free_energy", s.free_energy});
  if (cd_) {
    const sampler::ContrastiveSettings& cd = cd_->settings();
    const random::Stream chains = random::streams::rbm_draw(seed_, random::streams::RbmDraw::free_energy_gap, draws);
    metrics.push_back({"free_energy_gap", sampler::free_energy_gap(rbm_, examples.x, cd.k, cd.visible_means, chains)});
  }
  return metrics;
}

double RbmModel::mean_free_energy(ConstView<float> x) const {
  std::vector<double> energies(x.rows());
  sampler::free_energy(rbm_, x, energies);
  double total = 0;
  for (const double f : energies) total += f;
  return total / static_cast<double>(x.rows());
}

std::string RbmModel::likelihood_domain_error(ConstView<float> x) const {
  if (rbm_.units() != VisibleUnits::bernoulli) return {};
  for (std::size_t r = 0; r < x.rows(); ++r)
    for (const float value : x.row(r))
      if (value != 0 && value != 1)
        return fmt::format("row {} holds {}, and the binary visible units of a Bernoulli RBM take only 0 or 1", r,
                           value);
  return {};
}

Matrix<float> RbmModel::encode(ConstView<float> x) const {
  if (x.cols() != rbm_.visible())
    throw ShapeError("encode: rows of one value per visible unit", x.shape(), {x.rows(), rbm_.visible()});
  Matrix<float> hidden(x.rows(), rbm_.hidden());
  rbm_.hidden_means(x, hidden);
  return hidden;
}

Matrix<float> RbmModel::reconstruct(ConstView<float> x) const {
  if (x.cols() != rbm_.visible())
    throw ShapeError("reconstruct: rows of one value per visible unit", x.shape(), {x.rows(), rbm_.visible()});
  Matrix<float> hidden(x.rows(), rbm_.hidden()), out(x.rows(), rbm_.visible());
  rbm_.hidden_means(x, hidden);
  rbm_.visible_means(hidden, out);
  return out;
}

void RbmModel::sample(MatrixView<float> states, std::span<const std::size_t> clamped, std::uint64_t seed,
                      std::size_t steps, std::size_t every,
                      const std::function<void(std::size_t, ConstView<float>)>& snapshot) const {
  sampler::run_chains(rbm_, states, clamped, seed, steps, every, [&](const sampler::ChainSnapshot& s) {
    if (snapshot) snapshot(s.step, s.means);
  });
}

LogPartition RbmModel::log_partition(const Examples& train, const PartitionSettings& settings) const {
  if (settings.exact) {
    const double log_z = sampler::exact_log_partition(rbm_);
    return {.log_z = log_z, .lower = log_z, .upper = log_z, .exact = true};
  }
  const std::vector<float> base = sampler::base_rate_biases(rbm_, train.x);
  const sampler::AisEstimate a = sampler::ais_log_partition(
      rbm_, {.runs = settings.ais_runs, .steps = settings.ais_steps, .base_visible_bias = base}, settings.seed);
  return {.log_z = a.log_z, .lower = a.lower, .upper = a.upper, .exact = false};
}

}  // namespace gibbs::rbm
