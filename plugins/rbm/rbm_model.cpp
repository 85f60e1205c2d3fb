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

using sampler::Draw;
using sampler::VisibleUnits;

template <class T>
bool parse_number(std::string_view text, T& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

std::size_t positive_int(const Config& config, const std::string& name) {
  const std::int64_t value = config_int(config, name);
  if (value < 1) throw ArgumentError(fmt::format("--{} must be at least 1 (got {})", name, value));
  return static_cast<std::size_t>(value);
}

float non_negative(const Config& config, const std::string& name) {
  const double value = config_float(config, name);
  if (!(value >= 0) || !std::isfinite(value))
    throw ArgumentError(fmt::format("--{} must be 0 or more (got {})", name, value));
  return static_cast<float>(value);
}

void initialize_weights(sampler::Rbm& rbm, const std::string& init, std::uint64_t seed) {
  if (init == "uniform-glorot4") return sampler::initialize_uniform_glorot4(rbm, seed);
  float sigma = 0;
  if (!init.starts_with("normal:") || !parse_number(std::string_view(init).substr(7), sigma) || !(sigma >= 0))
    throw ArgumentError(fmt::format("--init '{}': expected normal:SIGMA (SIGMA ≥ 0) or uniform-glorot4", init));
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

MomentumSchedule MomentumSchedule::parse(const std::string& text, float constant) {
  MomentumSchedule schedule;
  if (text == "none") {
    schedule.steps.push_back({constant, 0});
    return schedule;
  }
  const auto bad = [&] {
    return ArgumentError(fmt::format(
        "--momentum-schedule '{}': expected MOMENTUM:EPOCHS,...,MOMENTUM (e.g. 0.5:5,0.9) or none", text));
  };
  std::string_view rest = text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view part = rest.substr(0, comma);
    const std::size_t colon = part.find(':');
    float momentum = 0;
    std::uint64_t epochs = 0;
    if (!parse_number(part.substr(0, colon), momentum) || !(momentum >= 0 && momentum < 1)) throw bad();
    if (comma == std::string_view::npos) {
      if (colon != std::string_view::npos) throw bad();
      schedule.steps.push_back({momentum, 0});
      return schedule;
    }
    if (colon == std::string_view::npos || !parse_number(part.substr(colon + 1), epochs) || epochs == 0) throw bad();
    schedule.steps.push_back({momentum, epochs});
    rest = rest.substr(comma + 1);
  }
}

float MomentumSchedule::at(std::uint64_t epoch) const {
  for (const auto& [momentum, epochs] : steps) {
    if (epochs == 0 || epoch < epochs) return momentum;
    epoch -= epochs;
  }
  return steps.back().first;
}

void RbmModel::configure(const Config& config) {
  const double lr = config_float(config, "lr");
  if (!(lr > 0) || !std::isfinite(lr)) throw ArgumentError(fmt::format("--lr must be positive (got {})", lr));
  learning_rate_ = static_cast<float>(lr);
  const float momentum = non_negative(config, "momentum");
  if (momentum >= 1) throw ArgumentError(fmt::format("--momentum must be below 1 (got {})", momentum));
  momentum_ = MomentumSchedule::parse(config_string(config, "momentum-schedule"), momentum);
  const float target = non_negative(config, "sparsity-target");
  if (target >= 1) throw ArgumentError(fmt::format("--sparsity-target must be below 1 (got {})", target));
  const sampler::ContrastiveSettings settings{
      .k = positive_int(config, "k"),
      .persistent = config_flag(config, "persistent"),
      .momentum = std::any_of(momentum_.steps.begin(), momentum_.steps.end(), [](const auto& s) { return s.first != 0; }),
      .weight_decay = non_negative(config, "weight-decay"),
      .sparsity_target = target,
      .sparsity_cost = non_negative(config, "sparsity-cost"),
      .visible_bias = !config_flag(config, "no-visible-bias")};
  rbm_.set_visible_clip(non_negative(config, "visible-clip"));
  cd_.emplace(rbm_, positive_int(config, "batch-size"), settings);
}

void RbmModel::initialize(const Config& config, const io::DatasetInfo&, const Examples& train, std::uint64_t seed) {
  const VisibleUnits units = sampler::parse_visible_units(config_string(config, "visible"));
  rbm_ = sampler::Rbm(train.x.cols(), positive_int(config, "hidden"), units);
  seed_ = seed;
  initialize_weights(rbm_, config_string(config, "init"), seed);
  const std::string bias_init = config_string(config, "visible-bias-init");
  if (bias_init == "logit-mean") {
    if (units != VisibleUnits::bernoulli) throw ArgumentError("--visible-bias-init logit-mean needs --visible bernoulli");
    if (!config_flag(config, "no-visible-bias")) logit_mean_bias(rbm_, train.x);
  } else if (bias_init != "zero") {
    throw ArgumentError(fmt::format("--visible-bias-init '{}': expected zero or logit-mean", bias_init));
  }
  configure(config);
}

void RbmModel::restore(const io::Checkpoint& checkpoint) {
  const Config& config = checkpoint.config;
  const auto w = checkpoint.params.find("W");
  if (w == checkpoint.params.end() || w->second.shape.size() != 2)
    throw ArgumentError("the checkpoint has no /params/W [visible, hidden]");
  const std::size_t visible = w->second.shape[0], hidden = w->second.shape[1];
  if (positive_int(config, "hidden") != hidden)
    throw ArgumentError(fmt::format("--hidden {} does not match the checkpoint's {} hidden units",
                                    config_int(config, "hidden"), hidden));
  rbm_ = sampler::Rbm(visible, hidden, sampler::parse_visible_units(config_string(config, "visible")));
  seed_ = checkpoint.seed;
  io::copy_into(w->second, rbm_.weights());
  io::copy_into(io::find_tensor(checkpoint.params, "params", "visible_bias", {visible}), rbm_.visible_bias());
  io::copy_into(io::find_tensor(checkpoint.params, "params", "hidden_bias", {hidden}), rbm_.hidden_bias());
  configure(config);

  const auto& state = checkpoint.state;
  const sampler::ContrastiveSettings& s = cd_->settings();
  if (s.momentum && state.contains("optimizer/W_velocity")) {
    io::copy_into(io::find_tensor(state, "state", "optimizer/W_velocity", {visible, hidden}), cd_->weight_velocity());
    io::copy_into(io::find_tensor(state, "state", "optimizer/visible_bias_velocity", {visible}),
              cd_->bias_velocity().values().first(visible));
    io::copy_into(io::find_tensor(state, "state", "optimizer/hidden_bias_velocity", {hidden}),
              cd_->bias_velocity().values().subspan(visible));
  }
  if (s.persistent && state.contains("chains/hidden")) {
    const auto it = state.find("chains/hidden");
    if (it->second.shape != std::vector<std::size_t>{s.chains, hidden})
      throw ArgumentError(fmt::format("the checkpoint's {} persistent chains do not match --batch-size {}",
                                      it->second.shape.empty() ? 0 : it->second.shape[0], s.chains));
    io::copy_into(it->second, cd_->persistent_hidden());
  }
  if (s.sparsity_target > 0 && state.contains("sparsity/hidden_activity"))
    io::copy_into(io::find_tensor(state, "state", "sparsity/hidden_activity", {hidden}), cd_->hidden_activity().values());
}

void RbmModel::save(io::Checkpoint& checkpoint) const {
  checkpoint.params.clear();
  checkpoint.state.clear();
  checkpoint.params["W"] = io::to_tensor(rbm_.weights());
  checkpoint.params["visible_bias"] = io::to_tensor(rbm_.visible_bias());
  checkpoint.params["hidden_bias"] = io::to_tensor(rbm_.hidden_bias());
  if (!cd_) return;
  const sampler::ContrastiveSettings& s = cd_->settings();
  const std::size_t visible = rbm_.visible();
  if (s.momentum) {
    checkpoint.state["optimizer/W_velocity"] = io::to_tensor(cd_->weight_velocity().view());
    checkpoint.state["optimizer/visible_bias_velocity"] = io::to_tensor(cd_->bias_velocity().values().first(visible));
    checkpoint.state["optimizer/hidden_bias_velocity"] = io::to_tensor(cd_->bias_velocity().values().subspan(visible));
  }
  if (s.persistent) checkpoint.state["chains/hidden"] = io::to_tensor(cd_->persistent_hidden().view());
  if (s.sparsity_target > 0) checkpoint.state["sparsity/hidden_activity"] = io::to_tensor(cd_->hidden_activity().values());
}

void RbmModel::begin_epoch(std::uint64_t epoch) { current_momentum_ = momentum_.at(epoch); }

double RbmModel::train_batch(const Examples& batch, std::uint64_t step) {
  return cd_->step(rbm_, batch.x, learning_rate_, current_momentum_, seed_, step);
}

Metrics RbmModel::evaluate(const Examples& examples, std::uint64_t draws) const {
  const sampler::Scores s = sampler::score(rbm_, examples.x, sampler::draw_stream(seed_, Draw::pseudo_likelihood, draws));
  Metrics metrics{{"reconstruction_mse", s.reconstruction_mse}};
  if (rbm_.units() == VisibleUnits::bernoulli) {
    metrics.push_back({"reconstruction_cross_entropy", s.reconstruction_cross_entropy});
    metrics.push_back({"pseudo_likelihood", s.pseudo_likelihood});
  }
  metrics.push_back({"free_energy", s.free_energy});
  return metrics;
}

Matrix<float> RbmModel::reconstruct(ConstView<float> x) const {
  if (x.cols() != rbm_.visible())
    throw ShapeError("reconstruct: rows of one value per visible unit", x.shape(), {x.rows(), rbm_.visible()});
  Matrix<float> hidden(x.rows(), rbm_.hidden()), out(x.rows(), rbm_.visible());
  rbm_.hidden_probabilities(x, hidden);
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

}  // namespace gibbs::rbm
