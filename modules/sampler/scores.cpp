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

// Rows a thread scores at least, so that a group repays its fork.
constexpr std::size_t kRowsPerGroup = 32;

// values[r] = row_value(r, scratch) for every r, the rows cut into groups over the threads, each
// group with its own `scratch_size` floats. A row's value depends on that row alone.
template <class RowValue>
void row_values(std::span<double> values, std::size_t scratch_size, const RowValue& row_value) {
  for_row_groups(values.size(), kRowsPerGroup, [&](std::size_t r0, std::size_t r1) {
    std::vector<float> scratch(scratch_size);
    for (std::size_t r = r0; r < r1; ++r) values[r] = row_value(r, std::span<float>(scratch));
  });
}

// total + row_value(0) + row_value(1) + …, in that order (the sum a serial loop over the rows
// makes), the values computed as row_values does, into `values`.
template <class RowValue>
double add_rows(double total, std::span<double> values, std::size_t scratch_size, const RowValue& row_value) {
  row_values(values, scratch_size, row_value);
  for (const double value : values) total += value;
  return total;
}

// The chunks of kChunkRows rows that `rows` rows are scored in.
std::size_t chunks(std::size_t rows) { return (rows + kChunkRows - 1) / kChunkRows; }

}  // namespace

void free_energy(const Rbm& rbm, ConstView<float> v, std::span<double> out) {
  check_rows(rbm, v, out.size(), "free energy");
  Matrix<float> a(std::min(kChunkRows, v.rows()), rbm.hidden());
  for (std::size_t first = 0; first < v.rows(); first += kChunkRows) {
    const std::size_t rows = std::min(kChunkRows, v.rows() - first);
    const ConstView<float> chunk = v.block(first, 0, rows, v.cols());
    const MatrixView<float> inputs = a.view().block(0, 0, rows, a.cols());
    rbm.hidden_inputs(chunk, inputs);
    row_values(out.subspan(first, rows), rbm.hidden(), [&](std::size_t r, std::span<float> scratch) {
      return free_energy_row(rbm, chunk.row(r), inputs.row(r), scratch);
    });
  }
}

void pseudo_likelihood_terms(const Rbm& rbm, ConstView<float> v, std::span<const std::size_t> bits,
                             std::span<double> out) {
  check_rows(rbm, v, out.size(), "pseudo-likelihood");
  check_rows(rbm, v, bits.size(), "pseudo-likelihood bits");
  if (rbm.units() != VisibleUnits::bernoulli) throw ArgumentError("pseudo-likelihood needs Bernoulli visible units");
  const std::size_t chunk_rows = std::min(kChunkRows, v.rows());
  for (const std::size_t bit : bits)
    if (bit >= rbm.visible())
      throw ArgumentError(fmt::format("pseudo-likelihood: bit {} of {} visible units", bit, rbm.visible()));
  const std::size_t hidden = rbm.hidden();
  Matrix<float> x(chunk_rows, rbm.visible()), a(chunk_rows, hidden);
  for (std::size_t first = 0; first < v.rows(); first += kChunkRows) {
    const std::size_t rows = std::min(kChunkRows, v.rows() - first);
    const MatrixView<float> xs = x.view().block(0, 0, rows, x.cols());
    const MatrixView<float> inputs = a.view().block(0, 0, rows, a.cols());
    binarize(v.block(first, 0, rows, v.cols()), xs);
    rbm.hidden_inputs(xs, inputs);
    row_values(out.subspan(first, rows), 2 * hidden, [&](std::size_t r, std::span<float> scratch) {
      return pseudo_likelihood_row(rbm, xs.row(r), inputs.row(r), bits[first + r], scratch.first(hidden),
                                   scratch.subspan(hidden));
    });
  }
}

double free_energy_gap(const Rbm& rbm, ConstView<float> v, std::size_t k, bool visible_means, random::Stream draws) {
  check_rows(rbm, v, v.rows(), "free-energy gap");
  if (v.rows() == 0 || k == 0) throw ArgumentError("free-energy gap: no rows, or no steps");
  const std::size_t n = v.rows(), hidden = rbm.hidden(), visible = rbm.visible(), chunk_rows = std::min(kChunkRows, n);
  Matrix<float> chain(chunk_rows, visible), means(chunk_rows, visible), h(chunk_rows, hidden),
      h_means(chunk_rows, hidden), a(chunk_rows, hidden), transposed;
  rbm.transpose_weights(k * chunks(n), chunk_rows, transposed);
  std::vector<double> energies(chunk_rows);
  double gap = 0;
  for (std::size_t first = 0; first < n; first += kChunkRows) {
    const std::size_t rows = std::min(kChunkRows, n - first);
    const ConstView<float> data = v.block(first, 0, rows, visible);
    const MatrixView<float> x = chain.view().block(0, 0, rows, visible), m = means.view().block(0, 0, rows, visible),
                            hs = h.view().block(0, 0, rows, hidden), hm = h_means.view().block(0, 0, rows, hidden),
                            inputs = a.view().block(0, 0, rows, hidden);
    const std::span<double> row_energies = std::span(energies).first(rows);
    rbm.hidden_inputs(data, inputs);
    gap = add_rows(gap, row_energies, hidden, [&](std::size_t r, std::span<float> scratch) {
      return free_energy_row(rbm, data.row(r), inputs.row(r), scratch);
    });
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
    gap = add_rows(gap, row_energies, hidden, [&](std::size_t r, std::span<float> scratch) {
      return -free_energy_row(rbm, from.row(r), inputs.row(r), scratch);  // gap + (−F) is gap − F
    });
  }
  return gap / static_cast<double>(n);
}

Scores score(const Rbm& rbm, ConstView<float> v, random::Stream bit_draws) {
  check_rows(rbm, v, v.rows(), "score");
  if (v.rows() == 0) throw ArgumentError("score: no rows");
  const bool bernoulli = rbm.units() == VisibleUnits::bernoulli;
  const std::size_t chunk_rows = std::min(kChunkRows, v.rows()), hidden = rbm.hidden(), visible = rbm.visible();
  Matrix<float> a(chunk_rows, hidden), h(chunk_rows, hidden), recon(chunk_rows, visible), x(chunk_rows, visible),
      x_inputs(chunk_rows, hidden), transposed;
  rbm.transpose_weights(chunks(v.rows()), chunk_rows, transposed);
  std::vector<std::uint32_t> draws(chunk_rows);
  std::vector<double> values(chunk_rows);
  double mse = 0, cross_entropy = 0, pseudo_likelihood = 0, energy = 0;
  for (std::size_t first = 0; first < v.rows(); first += kChunkRows) {
    const std::size_t rows = std::min(kChunkRows, v.rows() - first);
    const ConstView<float> chunk = v.block(first, 0, rows, v.cols());
    const MatrixView<float> inputs = a.view().block(0, 0, rows, a.cols());
    const MatrixView<float> probabilities = h.view().block(0, 0, rows, h.cols());
    const MatrixView<float> reconstruction = recon.view().block(0, 0, rows, recon.cols());
    const std::span<double> row_sums = std::span(values).first(rows);
    rbm.hidden_inputs(chunk, inputs);
    energy = add_rows(energy, row_sums, hidden, [&](std::size_t r, std::span<float> scratch) {
      return free_energy_row(rbm, chunk.row(r), inputs.row(r), scratch);
    });
    if (rbm.hidden_units() == HiddenUnits::bernoulli)
      simd::sigmoid(inputs, probabilities);
    else  // E[h | v] of Gaussian hidden units is their input
      for (std::size_t r = 0; r < rows; ++r)
        std::copy_n(inputs.row(r).data(), inputs.cols(), probabilities.row(r).data());
    if (!bernoulli) {
      rbm.visible_means(probabilities, transposed, reconstruction);
      mse += simd::sum_squared_difference(chunk, reconstruction);
      continue;
    }
    rbm.visible_inputs(probabilities, transposed, reconstruction);
    cross_entropy = add_rows(cross_entropy, row_sums, visible, [&](std::size_t r, std::span<float> scratch) {
      return softplus_sum(reconstruction.row(r), scratch) - dot(chunk.row(r), reconstruction.row(r));
    });
    simd::sigmoid(reconstruction, reconstruction);
    mse += simd::sum_squared_difference(chunk, reconstruction);

    const MatrixView<float> xs = x.view().block(0, 0, rows, x.cols());
    MatrixView<float> x_hidden = inputs;
    if (!binarize(chunk, xs)) {
      x_hidden = x_inputs.view().block(0, 0, rows, x_inputs.cols());
      rbm.hidden_inputs(xs, x_hidden);
    }
    random::bits(bit_draws, first, std::span(draws).first(rows));
    pseudo_likelihood = add_rows(pseudo_likelihood, row_sums, 2 * hidden, [&](std::size_t r, std::span<float> scratch) {
      const auto bit = static_cast<std::size_t>((std::uint64_t{draws[r]} * visible) >> 32);
      return pseudo_likelihood_row(rbm, xs.row(r), x_hidden.row(r), bit, scratch.first(hidden),
                                   scratch.subspan(hidden));
    });
  }
  const double rows = static_cast<double>(v.rows());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  return {.reconstruction_mse = mse / (rows * static_cast<double>(v.cols())),
          .reconstruction_cross_entropy = bernoulli ? cross_entropy / rows : nan,
          .pseudo_likelihood = bernoulli ? pseudo_likelihood / rows : nan,
          .free_energy = energy / rows};
}

}  // namespace gibbs::sampler
