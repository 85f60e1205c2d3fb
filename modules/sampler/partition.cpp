// gibbs.sampler:partition — exact log Z by blocks of enumerated states, and AIS with every run a
// row of one matrix.
module;
#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <span>
#include <utility>
#include <vector>
module gibbs.sampler;
import gibbs.core;
import gibbs.random;
import gibbs.simd;

namespace gibbs::sampler {
namespace {

constexpr std::size_t kBlockStates = 1024;

double sum(std::span<const float> x) {
  double total = 0;
  for (const float value : x) total += value;
  return total;
}

double softplus_sum(std::span<const float> x, std::span<float> scratch) {
  simd::softplus(x, scratch);
  return sum(scratch);
}

// A running log-sum-exp: max and Σ e^(t − max).
struct LogSum {
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0;

  void add(double t) {
    if (t > max) {
      sum = sum * std::exp(max - t) + 1;
      max = t;
    } else {
      sum += std::exp(t - max);
    }
  }
  void add(const LogSum& other) {
    if (other.sum == 0) return;
    if (other.max > max) {
      sum = sum * std::exp(max - other.max) + other.sum;
      max = other.max;
    } else {
      sum += other.sum * std::exp(other.max - max);
    }
  }
  double value() const { return max + std::log(sum); }
};

}  // namespace

double exact_log_partition(const Rbm& rbm) {
  const bool gaussian = rbm.units() == VisibleUnits::gaussian;
  // Gaussian hidden units are integrated out (their visibles are Bernoulli).
  const bool enumerate_hidden =
      gaussian || (rbm.hidden_units() == HiddenUnits::bernoulli && rbm.hidden() <= rbm.visible());
  const std::size_t n = enumerate_hidden ? rbm.hidden() : rbm.visible();
  const std::size_t other = enumerate_hidden ? rbm.visible() : rbm.hidden();
  if (n > kMaxExactUnits)
    throw ArgumentError(fmt::format(
        "exact log partition: the {} layer has {} units; enumerating its 2^{} states needs at most {} (use AIS)",
        enumerate_hidden ? "hidden" : "visible", n, n, kMaxExactUnits));
  const std::uint64_t states = std::uint64_t{1} << n;
  const std::size_t block = static_cast<std::size_t>(std::min<std::uint64_t>(kBlockStates, states));
  const std::size_t blocks = static_cast<std::size_t>(states / block);
  const std::span<const float> own_bias = enumerate_hidden ? rbm.hidden_bias() : rbm.visible_bias();
  std::vector<LogSum> partial(blocks);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks, 1), [&](const tbb::blocked_range<std::size_t>& range) {
    Matrix<float> s(block, n), a(block, other), scratch(1, other);
    for (std::size_t b = range.begin(); b != range.end(); ++b) {
      const std::uint64_t first = std::uint64_t{b} * block;
      for (std::size_t r = 0; r < block; ++r)
        for (std::size_t j = 0; j < n; ++j) s(r, j) = static_cast<float>(((first + r) >> j) & 1);
      if (enumerate_hidden)
        rbm.visible_inputs(s, a);  // b + hWᵀ
      else
        rbm.hidden_inputs(s, a);  // c + vW
      LogSum total;
      for (std::size_t r = 0; r < block; ++r) {
        double t = 0;
        for (std::size_t j = 0; j < n; ++j) t += double{s(r, j)} * own_bias[j];
        if (gaussian) {
          double square = 0;
          for (const float x : a.row(r)) square += double{x} * x;
          t += 0.5 * square;
        } else {
          t +=
              enumerate_hidden ? softplus_sum(a.row(r), scratch.values()) : rbm.hidden_term(a.row(r), scratch.values());
        }
        total.add(t);
      }
      partial[b] = total;
    }
  });
  LogSum total;
  for (const LogSum& p : partial) total.add(p);
  double log_z = total.value();
  if (gaussian) {
    double square = 0;
    for (const float b : rbm.visible_bias()) square += double{b} * b;
    log_z += 0.5 * static_cast<double>(rbm.visible()) * std::log(2 * std::numbers::pi) - 0.5 * square;
  }
  return log_z;
}

namespace {

// β_k of the schedule of `steps` steps, computed when asked: a schedule of 2^32 steps takes no
// memory (--ais-betas is a count of steps, not of stored values).
class Schedule {
 public:
  explicit Schedule(std::size_t steps) : steps_(steps) {
    if (steps < 3) throw ArgumentError(fmt::format("AIS schedule: {} steps; it needs at least 3", steps));
    const auto share = [&](double parts) {
      return std::max<std::size_t>(1,
                                   static_cast<std::size_t>(std::llround(static_cast<double>(steps) * parts / 29.0)));
    };
    n1_ = share(1), n2_ = share(8);
  }
  std::size_t steps() const { return steps_; }
  double operator[](std::size_t k) const {
    if (k == 0) return 0.0;
    if (k >= steps_) return 1.0;
    const auto stretch = [](double from, double to, std::size_t i, std::size_t count) {
      return from + (to - from) * static_cast<double>(i) / static_cast<double>(count);
    };
    if (k <= n1_) return stretch(0.0, 0.5, k, n1_);
    if (k <= n1_ + n2_) return stretch(0.5, 0.9, k - n1_, n2_);
    return stretch(0.9, 1.0, k - n1_ - n2_, steps_ - n1_ - n2_);
  }

 private:
  std::size_t steps_, n1_ = 0, n2_ = 0;
};

}  // namespace

std::vector<double> ais_schedule(std::size_t steps) {
  const Schedule schedule(steps);
  std::vector<double> betas(steps + 1);
  for (std::size_t k = 0; k <= steps; ++k) betas[k] = schedule[k];
  return betas;
}

AisEstimate ais_log_partition(const Rbm& rbm, const AisSettings& settings, std::uint64_t seed) {
  namespace streams = random::streams;
  const std::size_t nv = rbm.visible(), nh = rbm.hidden(), runs = settings.runs;
  if (runs == 0) throw ArgumentError("AIS needs at least one run");
  if (!settings.base_visible_bias.empty() && settings.base_visible_bias.size() != nv)
    throw ArgumentError(
        fmt::format("AIS: {} base visible biases for {} visible units", settings.base_visible_bias.size(), nv));
  const bool gaussian = rbm.units() == VisibleUnits::gaussian;
  const bool gaussian_hidden = rbm.hidden_units() == HiddenUnits::gaussian;
  const Schedule betas(settings.steps);
  const std::size_t steps = betas.steps();

  std::vector<float> base(nv, 0.0f);
  if (!settings.base_visible_bias.empty()) std::ranges::copy(settings.base_visible_bias, base.begin());
  const std::span<const float> b = rbm.visible_bias();
  std::vector<double> bias_gap(nv);
  double square_gap = 0;  // Gaussian: (‖b‖² − ‖b_A‖²)/2
  for (std::size_t i = 0; i < nv; ++i) {
    bias_gap[i] = double{b[i]} - base[i];
    square_gap += 0.5 * (double{b[i]} * b[i] - double{base[i]} * base[i]);
  }
  if (!gaussian) square_gap = 0;

  Matrix<float> v(runs, nv), means(runs, nv), x(runs, nh), h(runs, nh), h_means(runs, nh), scratch(runs, nh),
      transposed;
  rbm.transpose_weights(steps, runs, transposed);  // read by every visible step (steps > 1 when there is one)
  std::vector<double> log_w(runs, 0.0);
  if (gaussian) {
    random::normal(streams::ais_draw(seed, 0, streams::AisDraw::start), 0, v);
    simd::add_row_vector(v, base);
  } else {
    for (std::size_t r = 0; r < runs; ++r) std::ranges::copy(base, means.row(r).begin());
    simd::sigmoid(means, means);
    random::bernoulli(streams::ais_draw(seed, 0, streams::AisDraw::start), 0, means, v);
  }

  // Each run reads only its own rows: each group of runs takes all the steps on one core.
  for_chain_groups(runs, transposed, [&](std::size_t r0, std::size_t r1) {
    const auto own = [&](Matrix<float>& m) { return m.view().block(r0, 0, r1 - r0, m.cols()); };
    std::vector<float> mix(nv);
    for (std::size_t k = 1; k <= steps; ++k) {
      const auto beta = static_cast<float>(betas[k]), previous = static_cast<float>(betas[k - 1]);
      const double step = betas[k] - betas[k - 1];
      rbm.hidden_inputs(own(v), own(x));
      tbb::parallel_for(tbb::blocked_range<std::size_t>(r0, r1), [&](const tbb::blocked_range<std::size_t>& rows) {
        for (std::size_t r = rows.begin(); r != rows.end(); ++r) {
          const std::span<const float> xr = x.row(r), vr = v.row(r);
          const std::span<float> now = h_means.row(r), before = scratch.row(r);
          double linear = -square_gap;
          for (std::size_t i = 0; i < nv; ++i) linear += bias_gap[i] * vr[i];
          // The hidden units summed (or integrated) out at β, with inputs β·x.
          for (std::size_t j = 0; j < nh; ++j) before[j] = previous * xr[j];
          const double hidden_before = rbm.hidden_term(before, before);
          for (std::size_t j = 0; j < nh; ++j) now[j] = beta * xr[j];
          const double hidden_now = rbm.hidden_term(now, before);
          log_w[r] += step * linear + (hidden_now - hidden_before);
          if (!gaussian_hidden) simd::sigmoid(now, now);  // E[h | v] at β
        }
      });
      if (k == steps) break;
      rbm.sample_hidden(streams::ais_draw(seed, k, streams::AisDraw::hidden), r0 * nh, own(h_means), own(h));
      for (std::size_t i = 0; i < nv; ++i) mix[i] = (1.0f - beta) * base[i] + beta * b[i];
      simd::gemm(own(h), transposed, own(means),
                 {.alpha = beta,
                  .column_bias = mix,
                  .activation = gaussian ? simd::Activation::kIdentity : simd::Activation::kSigmoid,
                  .a_binary = !gaussian_hidden});
      const random::Stream draws = streams::ais_draw(seed, k, streams::AisDraw::visible);
      if (gaussian) {
        random::normal(draws, r0 * nv, own(v));
        simd::axpy(1.0f, own(means), own(v));
      } else {
        random::bernoulli(draws, r0 * nv, own(means), own(v));
      }
    }
  });

  AisEstimate estimate;
  double log_base = gaussian_hidden ? 0.5 * static_cast<double>(nh) * std::log(2 * std::numbers::pi)
                                    : static_cast<double>(nh) * std::numbers::ln2;
  if (gaussian)
    log_base += 0.5 * static_cast<double>(nv) * std::log(2 * std::numbers::pi);
  else
    for (const float bi : base) log_base += std::max(double{bi}, 0.0) + std::log1p(std::exp(-std::abs(double{bi})));
  estimate.log_base = log_base;
  const double top = *std::ranges::max_element(log_w);
  double mean = 0;
  for (const double lw : log_w) mean += std::exp(lw - top);
  mean /= static_cast<double>(runs);
  double variance = 0;
  for (const double lw : log_w) variance += (std::exp(lw - top) - mean) * (std::exp(lw - top) - mean);
  const double se =
      runs > 1 ? std::sqrt(variance / static_cast<double>(runs - 1)) / std::sqrt(static_cast<double>(runs)) : 0.0;
  estimate.log_z = log_base + top + std::log(mean);
  estimate.upper = log_base + top + std::log(mean + 3 * se);
  estimate.lower =
      mean - 3 * se > 0 ? log_base + top + std::log(mean - 3 * se) : -std::numeric_limits<double>::infinity();
  return estimate;
}

std::vector<float> base_rate_biases(const Rbm& rbm, ConstView<float> v) {
  if (v.cols() != rbm.visible())
    throw ShapeError("base rates: rows must have one value per visible unit", v.shape(), {v.rows(), rbm.visible()});
  if (v.rows() == 0) throw ArgumentError("base rates: no rows");
  std::vector<double> totals(v.cols(), 0.0);
  for (std::size_t r = 0; r < v.rows(); ++r)
    for (std::size_t i = 0; i < v.cols(); ++i) totals[i] += v(r, i);
  std::vector<float> biases(v.cols());
  for (std::size_t i = 0; i < v.cols(); ++i) {
    const double mean = totals[i] / static_cast<double>(v.rows());
    if (rbm.units() == VisibleUnits::gaussian) {
      biases[i] = static_cast<float>(mean);
    } else {
      const double p = std::clamp(mean, 0.001, 0.999);
      biases[i] = static_cast<float>(std::log(p / (1 - p)));
    }
  }
  return biases;
}

}  // namespace gibbs::sampler
