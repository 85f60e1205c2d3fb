// gibbs.sampler:scores — rows are scored in chunks: one GEMM for the hidden inputs (shared by
// the free energy, the reconstruction and, for binary data, the pseudo-likelihood), one for
// the reconstruction.
module;
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>
module gibbs.sampler;
import gibbs.core;
import gibbs.random;
import gibbs.simd;

namespace gibbs::sampler {
namespace {

constexpr std::size_t kChunkRows = 256;

double sum(std::span<const float> x) {
  double total = 0;
  for (float value : x) total += value;
  return total;
}

double dot(std::span<const float> a, std::span<const float> b) {
  double total = 0;
  for (std::size_t i = 0; i < a.size(); ++i) total += double{a[i]} * b[i];
  return total;
}

double softplus_sum(std::span<const float> a, std::span<float> scratch) {
  simd::softplus(a, scratch);
  return sum(scratch);
}

// F(v) of one row from its hidden inputs a = c + vW.
double free_energy_row(const Rbm& rbm, std::span<const float> v, std::span<const float> a, std::span<float> scratch) {
  const double hidden_term = rbm.hidden_term(a, scratch);
  const std::span<const float> b = rbm.visible_bias();
  if (rbm.units() == VisibleUnits::bernoulli) return -dot(v, b) - hidden_term;
  double square = 0;
  for (std::size_t i = 0; i < v.size(); ++i) square += (double{v[i]} - b[i]) * (double{v[i]} - b[i]);
  return 0.5 * square - hidden_term;
}

// Rounds to {0, 1}; true when x already was binary.
bool binarize(ConstView<float> v, MatrixView<float> x) {
  bool same = true;
  for (std::size_t r = 0; r < v.rows(); ++r)
    for (std::size_t i = 0; i < v.cols(); ++i) {
      x(r, i) = v(r, i) >= 0.5f ? 1.0f : 0.0f;
      same = same && x(r, i) == v(r, i);
    }
  return same;
}

// visible · log σ(F(x̃) − F(x)) for binary x with hidden inputs a, flipping bit i.
double pseudo_likelihood_row(const Rbm& rbm, std::span<const float> x, std::span<const float> a, std::size_t i,
                             std::span<float> flipped, std::span<float> scratch) {
  const float sign = 1.0f - 2.0f * x[i];  // x̃_i − x_i
  const std::span<const float> w_i = rbm.weights().row(i);
  for (std::size_t j = 0; j < a.size(); ++j) flipped[j] = a[j] + sign * w_i[j];
  const double gap =
      -double{rbm.visible_bias()[i]} * sign - rbm.hidden_term(flipped, scratch) + rbm.hidden_term(a, scratch);
  // log σ(g) = −softplus(−g) = −(max(−g, 0) + log1p(e^−|g|))
  const double log_sigmoid = -(std::max(-gap, 0.0) + std::log1p(std::exp(-std::abs(gap))));
  return static_cast<double>(rbm.visible()) * log_sigmoid;
}

void check_rows(const Rbm& rbm, ConstView<float> v, std::size_t out_size, const char* what) {
  if (v.cols() != rbm.visible())
    throw ShapeError(fmt::format("{}: rows must have one value per visible unit", what), v.shape(),
                     {v.rows(), rbm.visible()});
  if (out_size != v.rows()) throw ArgumentError(fmt::format("{}: {} outputs for {} rows", what, out_size, v.rows()));
}

}  // namespace

void free_energy(const Rbm& rbm, ConstView<float> v, std::span<double> out) {
  check_rows(rbm, v, out.size(), "free energy");
  Matrix<float> a(std::min(kChunkRows, v.rows()), rbm.hidden()), scratch(1, rbm.hidden());
  for (std::size_t first = 0; first < v.rows(); first += kChunkRows) {
    const std::size_t rows = std::min(kChunkRows, v.rows() - first);
    const ConstView<float> chunk = v.block(first, 0, rows, v.cols());
    const MatrixView<float> inputs = a.view().block(0, 0, rows, a.cols());
    rbm.hidden_inputs(chunk, inputs);
    for (std::size_t r = 0; r < rows; ++r)
      out[first + r] = free_energy_row(rbm, chunk.row(r), inputs.row(r), scratch.values());
  }
}

void pseudo_likelihood_terms(const Rbm& rbm, ConstView<float> v, std::span<const std::size_t> bits,
                             std::span<double> out) {
  check_rows(rbm, v, out.size(), "pseudo-likelihood");
  check_rows(rbm, v, bits.size(), "pseudo-likelihood bits");
  if (rbm.units() != VisibleUnits::bernoulli) throw ArgumentError("pseudo-likelihood needs Bernoulli visible units");
  const std::size_t chunk_rows = std::min(kChunkRows, v.rows());
  Matrix<float> x(chunk_rows, rbm.visible()), a(chunk_rows, rbm.hidden()), flipped(1, rbm.hidden()),
      scratch(1, rbm.hidden());
  for (std::size_t first = 0; first < v.rows(); first += kChunkRows) {
    const std::size_t rows = std::min(kChunkRows, v.rows() - first);
    const MatrixView<float> xs = x.view().block(0, 0, rows, x.cols());
    const MatrixView<float> inputs = a.view().block(0, 0, rows, a.cols());
    binarize(v.block(first, 0, rows, v.cols()), xs);
    rbm.hidden_inputs(xs, inputs);
    for (std::size_t r = 0; r < rows; ++r) {
      if (bits[first + r] >= rbm.visible())
        throw ArgumentError(
            fmt::format("pseudo-likelihood: bit {} of {} visible units", bits[first + r], rbm.visible()));
      out[first + r] =
          pseudo_likelihood_row(rbm, xs.row(r), inputs.row(r), bits[first + r], flipped.values(), scratch.values());
    }
  }
}

double free_energy_gap(const Rbm& rbm, ConstView<float> v, std::size_t k, bool visible_means, random::Stream draws) {
  check_rows(rbm, v, v.rows(), "free-energy gap");
  if (v.rows() == 0 || k == 0) throw ArgumentError("free-energy gap: no rows, or no steps");
  const std::size_t n = v.rows(), hidden = rbm.hidden(), visible = rbm.visible(), chunk_rows = std::min(kChunkRows, n);
  Matrix<float> chain(chunk_rows, visible), means(chunk_rows, visible), h(chunk_rows, hidden),
      h_means(chunk_rows, hidden), a(chunk_rows, hidden), scratch(1, hidden), transposed;
  rbm.transpose_weights(k * ((n + kChunkRows - 1) / kChunkRows), chunk_rows, transposed);
  double gap = 0;
  for (std::size_t first = 0; first < n; first += kChunkRows) {
    const std::size_t rows = std::min(kChunkRows, n - first);
    const ConstView<float> data = v.block(first, 0, rows, visible);
    const MatrixView<float> x = chain.view().block(0, 0, rows, visible), m = means.view().block(0, 0, rows, visible),
                            hs = h.view().block(0, 0, rows, hidden), hm = h_means.view().block(0, 0, rows, hidden),
                            inputs = a.view().block(0, 0, rows, hidden);
    rbm.hidden_inputs(data, inputs);
    for (std::size_t r = 0; r < rows; ++r) gap += free_energy_row(rbm, data.row(r), inputs.row(r), scratch.values());
    ConstView<float> from = data;
    for (std::size_t step = 0; step < k; ++step) {
      const std::uint64_t base = step * n * (hidden + visible);
      rbm.sample_hidden_means(from, hm, draws, base + first * hidden, hs);
      if (visible_means)
        rbm.visible_means(hs, transposed, m);
      else
        rbm.sample_visible_means(hs, transposed, m, draws, base + n * hidden + first * visible, x);
      from = visible_means ? m : x;
    }
    rbm.hidden_inputs(from, inputs);
    for (std::size_t r = 0; r < rows; ++r) gap -= free_energy_row(rbm, from.row(r), inputs.row(r), scratch.values());
  }
  return gap / static_cast<double>(n);
}

Scores score(const Rbm& rbm, ConstView<float> v, random::Stream bit_draws) {
  check_rows(rbm, v, v.rows(), "score");
  if (v.rows() == 0) throw ArgumentError("score: no rows");
  const bool bernoulli = rbm.units() == VisibleUnits::bernoulli;
  const std::size_t chunk_rows = std::min(kChunkRows, v.rows());
  Matrix<float> a(chunk_rows, rbm.hidden()), h(chunk_rows, rbm.hidden()), recon(chunk_rows, rbm.visible()),
      x(chunk_rows, rbm.visible()), x_inputs(chunk_rows, rbm.hidden()), flipped(1, rbm.hidden()),
      scratch(1, std::max(rbm.hidden(), rbm.visible()));
  std::vector<std::uint32_t> draws(chunk_rows);
  double mse = 0, cross_entropy = 0, pseudo_likelihood = 0, energy = 0;
  for (std::size_t first = 0; first < v.rows(); first += kChunkRows) {
    const std::size_t rows = std::min(kChunkRows, v.rows() - first);
    const ConstView<float> chunk = v.block(first, 0, rows, v.cols());
    const MatrixView<float> inputs = a.view().block(0, 0, rows, a.cols());
    const MatrixView<float> probabilities = h.view().block(0, 0, rows, h.cols());
    const MatrixView<float> reconstruction = recon.view().block(0, 0, rows, recon.cols());
    rbm.hidden_inputs(chunk, inputs);
    for (std::size_t r = 0; r < rows; ++r)
      energy += free_energy_row(rbm, chunk.row(r), inputs.row(r), scratch.values().first(rbm.hidden()));
    if (rbm.hidden_units() == HiddenUnits::bernoulli)
      simd::sigmoid(inputs, probabilities);
    else  // E[h | v] of Gaussian hidden units is their input
      for (std::size_t r = 0; r < rows; ++r)
        std::copy_n(inputs.row(r).data(), inputs.cols(), probabilities.row(r).data());
    if (!bernoulli) {
      rbm.visible_means(probabilities, reconstruction);
      mse += simd::sum_squared_difference(chunk, reconstruction);
      continue;
    }
    rbm.visible_inputs(probabilities, reconstruction);
    for (std::size_t r = 0; r < rows; ++r)
      cross_entropy += softplus_sum(reconstruction.row(r), scratch.values().first(rbm.visible())) -
                       dot(chunk.row(r), reconstruction.row(r));
    simd::sigmoid(reconstruction, reconstruction);
    mse += simd::sum_squared_difference(chunk, reconstruction);

    const MatrixView<float> xs = x.view().block(0, 0, rows, x.cols());
    MatrixView<float> x_hidden = inputs;
    if (!binarize(chunk, xs)) {
      x_hidden = x_inputs.view().block(0, 0, rows, x_inputs.cols());
      rbm.hidden_inputs(xs, x_hidden);
    }
    random::bits(bit_draws, first, std::span(draws).first(rows));
    for (std::size_t r = 0; r < rows; ++r) {
      const auto bit = static_cast<std::size_t>((std::uint64_t{draws[r]} * rbm.visible()) >> 32);
      pseudo_likelihood += pseudo_likelihood_row(rbm, xs.row(r), x_hidden.row(r), bit, flipped.values(),
                                                 scratch.values().first(rbm.hidden()));
    }
  }
  const double rows = static_cast<double>(v.rows());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  return {.reconstruction_mse = mse / (rows * static_cast<double>(v.cols())),
          .reconstruction_cross_entropy = bernoulli ? cross_entropy / rows : nan,
          .pseudo_likelihood = bernoulli ? pseudo_likelihood / rows : nan,
          .free_energy = energy / rows};
}

}  // namespace gibbs::sampler
