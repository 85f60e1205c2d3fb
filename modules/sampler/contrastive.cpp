// gibbs.sampler:contrastive — the chain runs in place in two stacked buffers, [v0; v_k] and
// [h0; −(B/C)·h_k], so that the weight update is a single GEMM: W += lr/B · [v0; v_k]ᵀ[h0; −h_k].
module;
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
module gibbs.sampler;
import gibbs.core;
import gibbs.random;
import gibbs.simd;

namespace gibbs::sampler {

using random::streams::rbm_draw;
using random::streams::RbmDraw;

namespace {

void copy_rows(ConstView<float> from, MatrixView<float> to) {
  for (std::size_t r = 0; r < from.rows(); ++r) std::copy_n(from.row(r).data(), from.cols(), to.row(r).data());
}

void scale(MatrixView<float> m, float factor) {
  for (std::size_t r = 0; r < m.rows(); ++r)
    for (float& x : m.row(r)) x *= factor;
}

}  // namespace

ContrastiveDivergence::ContrastiveDivergence(const Rbm& rbm, std::size_t batch_size,
                                             const ContrastiveSettings& settings)
    : settings_(settings), batch_size_(batch_size) {
  if (batch_size == 0) throw ArgumentError("the batch size must be at least 1");
  if (settings.k == 0) throw ArgumentError("k (Gibbs steps per update) must be at least 1");
  if (!settings.persistent || settings_.chains == 0) settings_.chains = batch_size;
  const std::size_t chains = settings_.chains, visible = rbm.visible(), hidden = rbm.hidden();
  visible_ = Matrix<float>(batch_size + chains, visible);
  hidden_ = Matrix<float>(batch_size + chains, hidden);
  means_ = Matrix<float>(chains, visible);
  if (!settings.persistent && settings.k > 1) first_means_ = Matrix<float>(chains, visible);
  chain_hidden_ = Matrix<float>(chains, hidden);
  gradient_ = Matrix<float>(1, visible + hidden);
  model_sums_ = Matrix<float>(1, visible);
  if (settings.momentum) {
    weight_velocity_ = Matrix<float>(visible, hidden);
    bias_velocity_ = Matrix<float>(1, visible + hidden);
  }
  if (settings.sparsity_target > 0) hidden_activity_ = Matrix<float>(1, hidden, settings.sparsity_target);
}

double ContrastiveDivergence::run_chains(const Rbm& rbm, ConstView<float> v0, std::size_t first_chain,
                                         std::size_t chains, std::size_t all_chains, std::uint64_t seed,
                                         std::uint64_t step) {
  const std::size_t rows = v0.rows(), visible = rbm.visible(), hidden = rbm.hidden();
  const MatrixView<float> v_data = visible_.view().block(0, 0, rows, visible);
  const MatrixView<float> h_data = hidden_.view().block(0, 0, rows, hidden);
  const MatrixView<float> v_model = visible_.view().block(rows, 0, chains, visible);
  const MatrixView<float> h_model = hidden_.view().block(rows, 0, chains, hidden);
  const MatrixView<float> means = means_.view().block(0, 0, chains, visible);
  const MatrixView<float> chain = chain_hidden_.view().block(first_chain, 0, chains, hidden);
  const random::Stream hidden_draws = rbm_draw(seed, RbmDraw::hidden, step);
  const random::Stream visible_draws = rbm_draw(seed, RbmDraw::visible, step);
  // Chain c's draws of Gibbs step t are at (t·all_chains + c)·units: a shard draws what the
  // whole minibatch would for its chains.
  rbm.transpose_weights(settings_.k, chains, weights_transposed_);
  if (settings_.persistent) {
    copy_rows(v0, v_data);
    rbm.hidden_means(v_data, h_data);
  }
  // CD's error compares the data with the first step's means, which later steps overwrite.
  const bool keep_first_means = settings_.k > 1 && !settings_.persistent;
  const MatrixView<float> first_means = keep_first_means ? first_means_.view().block(0, 0, chains, visible) : means;
  const auto steps = [&](std::size_t c0, std::size_t c1) {
    const auto own = [&](MatrixView<float> m) { return m.block(c0, 0, c1 - c0, m.cols()); };
    const std::size_t first = first_chain + c0;
    if (!settings_.persistent) {  // the chains start from the data: row c is chain c
      copy_rows(v0.block(c0, 0, c1 - c0, visible), own(v_data));
      rbm.sample_hidden_means(own(v_data), own(h_data), hidden_draws, first * hidden, own(chain));
    }
    for (std::size_t t = 0; t < settings_.k; ++t) {
      if (settings_.visible_means) {
        rbm.visible_means(own(chain), weights_transposed_, own(means));
        copy_rows(own(means), own(v_model));
      } else {
        rbm.sample_visible_means(own(chain), weights_transposed_, own(means), visible_draws,
                                 (t * all_chains + first) * visible, own(v_model));
      }
      if (t == 0 && keep_first_means) copy_rows(own(means), own(first_means));
      if (t + 1 < settings_.k || settings_.persistent)
        rbm.sample_hidden_means(own(v_model), own(h_model), hidden_draws, ((t + 1) * all_chains + first) * hidden,
                                own(chain));
      else
        rbm.hidden_means(own(v_model), own(h_model));
    }
  };
  for_chain_groups(chains, weights_transposed_, steps);
  if (settings_.persistent) return std::numeric_limits<double>::quiet_NaN();
  return simd::sum_squared_difference(v_data, first_means);
}

void ContrastiveDivergence::bias_gradients(std::size_t rows, std::size_t chains, float ratio,
                                           std::span<float> visible_gradient, std::span<float> hidden_gradient) {
  const std::size_t visible = visible_.cols(), hidden = hidden_.cols();
  scale(hidden_.view().block(rows, 0, chains, hidden), -ratio);
  simd::column_sums(visible_.view().block(rows, 0, chains, visible), model_sums_.values());
  simd::column_sums(visible_.view().block(0, 0, rows, visible), visible_gradient);
  simd::axpy(-ratio, model_sums_.values(), visible_gradient);
  simd::column_sums(hidden_.view().block(0, 0, rows + chains, hidden), hidden_gradient);
}

void ContrastiveDivergence::update_biases(Rbm& rbm, std::span<const float> gradient, float rate, float momentum) {
  const std::size_t visible = rbm.visible();
  if (!settings_.momentum) {
    simd::axpy(rate, gradient.first(visible), rbm.visible_bias());
    simd::axpy(rate, gradient.subspan(visible), rbm.hidden_bias());
    return;
  }
  const std::span<float> bias_velocity = bias_velocity_.values();
  for (std::size_t i = 0; i < bias_velocity.size(); ++i)
    bias_velocity[i] = momentum * bias_velocity[i] + rate * gradient[i];
  simd::axpy(1.0f, bias_velocity.first(visible), rbm.visible_bias());
  simd::axpy(1.0f, bias_velocity.subspan(visible), rbm.hidden_bias());
}

double ContrastiveDivergence::step(Rbm& rbm, ConstView<float> v0, float learning_rate, float momentum,
                                   std::uint64_t seed, std::uint64_t step) {
  const std::size_t batch = v0.rows(), visible = rbm.visible(), hidden = rbm.hidden();
  if (batch == 0 || batch > batch_size_ || v0.cols() != visible)
    throw ShapeError(fmt::format("contrastive divergence: a batch of 1 to {} rows of {} values", batch_size_, visible),
                     v0.shape(), {batch_size_, visible});
  if (momentum != 0 && !settings_.momentum) throw ArgumentError("momentum without velocities");
  const std::size_t chains = settings_.persistent ? settings_.chains : batch;
  const double squares = run_chains(rbm, v0, 0, chains, chains, seed, step);
  const double error = squares / static_cast<double>(batch * visible);
  const MatrixView<float> h_data = hidden_.view().block(0, 0, batch, hidden);

  const std::span<float> gradient = gradient_.values();
  const std::span<float> visible_gradient = gradient.first(visible), hidden_gradient = gradient.subspan(visible);
  if (settings_.sparsity_target > 0) {
    // q ← 0.9 q + 0.1 mean(h0); the positive statistics gain cost·(target − q).
    simd::column_sums(h_data, hidden_gradient);
    const std::span<float> q = hidden_activity_.values();
    for (std::size_t j = 0; j < hidden; ++j) {
      q[j] = 0.9f * q[j] + 0.1f * hidden_gradient[j] / static_cast<float>(batch);
      hidden_gradient[j] = settings_.sparsity_cost * (settings_.sparsity_target - q[j]);
    }
    simd::add_row_vector(h_data, hidden_gradient);
  }
  bias_gradients(batch, chains, static_cast<float>(batch) / static_cast<float>(chains), visible_gradient,
                 hidden_gradient);
  if (!settings_.visible_bias) std::fill(visible_gradient.begin(), visible_gradient.end(), 0.0f);

  const float rate = learning_rate / static_cast<float>(batch);
  const ConstView<float> stacked_visible = visible_.view().block(0, 0, batch + chains, visible);
  const ConstView<float> stacked_hidden = hidden_.view().block(0, 0, batch + chains, hidden);
  const MatrixView<float> weights = rbm.weights();
  if (!settings_.momentum) {
    simd::gemm(stacked_visible, stacked_hidden, weights,
               {.transpose_a = true, .alpha = rate, .beta = 1.0f - learning_rate * settings_.weight_decay});
  } else {
    simd::gemm(stacked_visible, stacked_hidden, weight_velocity_,
               {.transpose_a = true, .alpha = rate, .beta = momentum});
    if (settings_.weight_decay != 0) simd::axpy(-learning_rate * settings_.weight_decay, weights, weight_velocity_);
    simd::axpy(1.0f, weight_velocity_, weights);
  }
  update_biases(rbm, gradient, rate, momentum);
  return error;
}

double ContrastiveDivergence::multiply_adds_per_row() const {
  const auto rows = static_cast<double>(batch_size_), chains = static_cast<double>(settings_.chains);
  const auto k = static_cast<double>(settings_.k);
  return (2 * rows + (2 * k + 1) * chains) * static_cast<double>(visible_.cols() * hidden_.cols()) / rows;
}

std::size_t ContrastiveDivergence::gradient_size() const {
  const std::size_t visible = visible_.cols(), hidden = hidden_.cols();
  return visible * hidden + visible + hidden + (settings_.sparsity_target > 0 ? visible + hidden : 0);
}

double ContrastiveDivergence::shard_step(const Rbm& rbm, ConstView<float> v0, std::size_t first_row,
                                         std::size_t batch_rows, std::size_t first_chain, std::size_t chains,
                                         std::uint64_t seed, std::uint64_t step, std::span<float> gradient) {
  const std::size_t rows = v0.rows(), visible = rbm.visible(), hidden = rbm.hidden();
  if (batch_rows == 0 || batch_rows > batch_size_ || first_row + rows > batch_rows || v0.cols() != visible ||
      gradient.size() != gradient_size())
    throw ShapeError(
        fmt::format("contrastive divergence: a shard of a batch of 1 to {} rows of {} values", batch_size_, visible),
        v0.shape(), {batch_size_, visible});
  if (!settings_.persistent) first_chain = first_row, chains = rows;
  const std::size_t all_chains = settings_.persistent ? settings_.chains : batch_rows;
  if (first_chain + chains > all_chains) throw ArgumentError("contrastive divergence: chains out of range");
  const MatrixView<float> weight_gradient(gradient.data(), visible, hidden);
  const std::span<float> visible_gradient = gradient.subspan(visible * hidden, visible);
  const std::span<float> hidden_gradient = gradient.subspan(visible * hidden + visible, hidden);
  if (rows + chains == 0) {
    std::fill(gradient.begin(), gradient.end(), 0.0f);
    return 0;
  }
  const double squares = run_chains(rbm, v0, first_chain, chains, all_chains, seed, step);
  const MatrixView<float> v_data = visible_.view().block(0, 0, rows, visible);
  const MatrixView<float> h_data = hidden_.view().block(0, 0, rows, hidden);
  if (settings_.sparsity_target > 0) {
    simd::column_sums(h_data, gradient.subspan(visible * hidden + visible + hidden, hidden));
    simd::column_sums(v_data, gradient.subspan(visible * hidden + visible + 2 * hidden, visible));
  }
  bias_gradients(rows, chains, static_cast<float>(batch_rows) / static_cast<float>(all_chains), visible_gradient,
                 hidden_gradient);
  simd::gemm(visible_.view().block(0, 0, rows + chains, visible), hidden_.view().block(0, 0, rows + chains, hidden),
             weight_gradient, {.transpose_a = true, .alpha = 1.0f, .beta = 0.0f});
  return squares / static_cast<double>(batch_rows * visible);
}

void ContrastiveDivergence::apply_step(Rbm& rbm, std::span<float> gradient, std::size_t batch_rows, float learning_rate,
                                       float momentum) {
  const std::size_t visible = rbm.visible(), hidden = rbm.hidden();
  if (gradient.size() != gradient_size() || batch_rows == 0)
    throw ArgumentError("contrastive divergence: a gradient of another size");
  if (momentum != 0 && !settings_.momentum) throw ArgumentError("momentum without velocities");
  const MatrixView<float> weight_gradient(gradient.data(), visible, hidden);
  const std::span<float> biases = gradient.subspan(visible * hidden, visible + hidden);
  const float rows = static_cast<float>(batch_rows);
  if (settings_.sparsity_target > 0) {
    // As step: q ← 0.9 q + 0.1 mean(h0), and every row's h0 gains s = cost·(target − q), so
    // c's gradient gains B·s and W's (Σv0)·sᵀ.
    const std::span<const float> active = gradient.subspan(visible * hidden + visible + hidden, hidden);
    const std::span<const float> data_sums = gradient.subspan(visible * hidden + visible + 2 * hidden, visible);
    const std::span<float> q = hidden_activity_.values();
    const std::span<float> penalty = gradient_.values().subspan(visible);  // step's scratch, unused here
    for (std::size_t j = 0; j < hidden; ++j) {
      q[j] = 0.9f * q[j] + 0.1f * active[j] / rows;
      penalty[j] = settings_.sparsity_cost * (settings_.sparsity_target - q[j]);
      biases[visible + j] += rows * penalty[j];
    }
    for (std::size_t i = 0; i < visible; ++i) simd::axpy(data_sums[i], penalty, weight_gradient.row(i));
  }
  if (!settings_.visible_bias) std::fill_n(biases.begin(), visible, 0.0f);
  const float rate = learning_rate / rows, decay = learning_rate * settings_.weight_decay;
  const MatrixView<float> weights = rbm.weights();
  if (!settings_.momentum) {
    if (decay != 0) scale(weights, 1.0f - decay);
    simd::axpy(rate, weight_gradient, weights);
  } else {
    scale(weight_velocity_, momentum);
    simd::axpy(rate, weight_gradient, weight_velocity_);
    if (decay != 0) simd::axpy(-decay, weights, weight_velocity_);
    simd::axpy(1.0f, weight_velocity_, weights);
  }
  update_biases(rbm, biases, rate, momentum);
}

}  // namespace gibbs::sampler
