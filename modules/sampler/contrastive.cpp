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
  chain_hidden_ = Matrix<float>(chains, hidden);
  gradient_ = Matrix<float>(1, visible + hidden);
  model_sums_ = Matrix<float>(1, visible);
  if (settings.momentum) {
    weight_velocity_ = Matrix<float>(visible, hidden);
    bias_velocity_ = Matrix<float>(1, visible + hidden);
  }
  if (settings.sparsity_target > 0) hidden_activity_ = Matrix<float>(1, hidden, settings.sparsity_target);
}

double ContrastiveDivergence::step(Rbm& rbm, ConstView<float> v0, float learning_rate, float momentum,
                                   std::uint64_t seed, std::uint64_t step) {
  const std::size_t batch = v0.rows(), visible = rbm.visible(), hidden = rbm.hidden();
  if (batch == 0 || batch > batch_size_ || v0.cols() != visible)
    throw ShapeError(fmt::format("contrastive divergence: a batch of 1 to {} rows of {} values", batch_size_, visible),
                     v0.shape(), {batch_size_, visible});
  if (momentum != 0 && !settings_.momentum) throw ArgumentError("momentum without velocities");
  const std::size_t chains = settings_.persistent ? settings_.chains : batch;
  const MatrixView<float> v_data = visible_.view().block(0, 0, batch, visible);
  const MatrixView<float> h_data = hidden_.view().block(0, 0, batch, hidden);
  const MatrixView<float> v_model = visible_.view().block(batch, 0, chains, visible);
  const MatrixView<float> h_model = hidden_.view().block(batch, 0, chains, hidden);
  const MatrixView<float> means = means_.view().block(0, 0, chains, visible);
  const MatrixView<float> chain = chain_hidden_.view().block(0, 0, chains, hidden);
  const random::Stream hidden_draws = rbm_draw(seed, RbmDraw::hidden, step);
  const random::Stream visible_draws = rbm_draw(seed, RbmDraw::visible, step);

  double error = std::numeric_limits<double>::quiet_NaN();
  copy_rows(v0, v_data);
  rbm.hidden_means(v_data, h_data);
  if (!settings_.persistent) rbm.sample_hidden(hidden_draws, 0, h_data, chain);
  for (std::size_t t = 0; t < settings_.k; ++t) {
    rbm.visible_means(chain, means);
    if (t == 0 && !settings_.persistent)
      error = simd::sum_squared_difference(v_data, means) / static_cast<double>(batch * visible);
    if (settings_.visible_means)
      copy_rows(means, v_model);
    else
      rbm.sample_visible(visible_draws, t * chains * visible, means, v_model);
    rbm.hidden_means(v_model, h_model);
    if (t + 1 < settings_.k || settings_.persistent)
      rbm.sample_hidden(hidden_draws, (t + 1) * chains * hidden, h_model, chain);
  }

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
  const float ratio = static_cast<float>(batch) / static_cast<float>(chains);
  scale(h_model, -ratio);

  // Bias gradients (times B): Σv0 − (B/C)·Σv_k and Σ[h0; −(B/C)·h_k].
  simd::column_sums(v_model, model_sums_.values());
  simd::column_sums(v_data, visible_gradient);
  simd::axpy(-ratio, model_sums_.values(), visible_gradient);
  simd::column_sums(hidden_.view().block(0, 0, batch + chains, hidden), hidden_gradient);
  if (!settings_.visible_bias) std::fill(visible_gradient.begin(), visible_gradient.end(), 0.0f);

  const float rate = learning_rate / static_cast<float>(batch);
  const ConstView<float> stacked_visible = visible_.view().block(0, 0, batch + chains, visible);
  const ConstView<float> stacked_hidden = hidden_.view().block(0, 0, batch + chains, hidden);
  const MatrixView<float> weights = rbm.weights();
  const std::span<float> visible_bias = rbm.visible_bias(), hidden_bias = rbm.hidden_bias();
  if (!settings_.momentum) {
    simd::gemm(stacked_visible, stacked_hidden, weights,
               {.transpose_a = true, .alpha = rate, .beta = 1.0f - learning_rate * settings_.weight_decay});
    simd::axpy(rate, visible_gradient, visible_bias);
    simd::axpy(rate, hidden_gradient, hidden_bias);
    return error;
  }
  simd::gemm(stacked_visible, stacked_hidden, weight_velocity_, {.transpose_a = true, .alpha = rate, .beta = momentum});
  if (settings_.weight_decay != 0) simd::axpy(-learning_rate * settings_.weight_decay, weights, weight_velocity_);
  simd::axpy(1.0f, weight_velocity_, weights);
  const std::span<float> bias_velocity = bias_velocity_.values();
  for (std::size_t i = 0; i < bias_velocity.size(); ++i)
    bias_velocity[i] = momentum * bias_velocity[i] + rate * gradient[i];
  simd::axpy(1.0f, bias_velocity.first(visible), visible_bias);
  simd::axpy(1.0f, bias_velocity.subspan(visible), hidden_bias);
  return error;
}

}  // namespace gibbs::sampler
