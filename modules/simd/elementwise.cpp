// Elementwise front ends: shape and overlap checks, then the kernels on the calling thread or,
// for large inputs, on position-wise chunks (rows for reductions, column groups for column sums).
module;
#include "modules/simd/kernels/elementwise.h"
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <algorithm>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
module gibbs.simd;
import gibbs.core;

namespace gibbs::simd {
namespace {

constexpr std::size_t kSerialElements = std::size_t{1} << 16;  // below this, one thread does it all
constexpr std::size_t kChunk = std::size_t{1} << 14;           // elements per parallel task
constexpr std::size_t kColumnGroup = 64;                       // column_sums splits at multiples of it

bool go_parallel(std::size_t elements) { return elements >= kSerialElements && thread_count() > 1; }

// body(begin, end) over [0, count), split over threads when the work (elements) is large.
// Callers only split position-wise work, so the split never changes a result.
template <class Body>
void for_ranges(std::size_t count, std::size_t elements, std::size_t grain, const Body& body) {
  if (count == 0) return;
  if (!go_parallel(elements)) return body(std::size_t{0}, count);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, std::max<std::size_t>(grain, 1)),
                    [&](const tbb::blocked_range<std::size_t>& r) { body(r.begin(), r.end()); });
}

ConstView<float> as_row(std::span<const float> s) { return {s.data(), s.empty() ? 0u : 1u, s.size()}; }
MatrixView<float> as_row(std::span<float> s) { return {s.data(), s.empty() ? 0u : 1u, s.size()}; }

// Whether two views share an element; exact when the strides are equal, else by address range.
bool share_elements(ConstView<float> a, ConstView<float> b) {
  if (a.empty() || b.empty()) return false;
  const std::less<const float*> before;
  const float* a_end = a.data() + (a.rows() - 1) * a.stride() + a.cols();
  const float* b_end = b.data() + (b.rows() - 1) * b.stride() + b.cols();
  if (!before(a.data(), b_end) || !before(b.data(), a_end)) return false;
  if (a.stride() != b.stride()) return true;
  // Element (r, c) of b is element (r + k, c + delta − k·s) of a: try the k that bring the column near.
  const auto s = static_cast<std::ptrdiff_t>(a.stride());
  const std::ptrdiff_t delta = b.data() - a.data();
  const std::ptrdiff_t k0 = delta >= 0 ? delta / s : -((-delta + s - 1) / s);
  for (std::ptrdiff_t k = k0; k <= k0 + 1; ++k) {
    const std::ptrdiff_t col_shift = delta - k * s;  // column of a minus column of b
    const bool rows_meet = k > -static_cast<std::ptrdiff_t>(b.rows()) && k < static_cast<std::ptrdiff_t>(a.rows());
    const bool cols_meet =
        col_shift > -static_cast<std::ptrdiff_t>(b.cols()) && col_shift < static_cast<std::ptrdiff_t>(a.cols());
    if (rows_meet && cols_meet) return true;
  }
  return false;
}

// The messages are built only when they are thrown: these checks run on every call.
void check_pair(std::string_view name, ConstView<float> x, MatrixView<float> y) {
  if (y.shape() != x.shape()) throw ShapeError(std::string(name) + ": y", y.shape(), x.shape());
  const bool same = x.data() == y.data() && (x.rows() <= 1 || x.stride() == y.stride());
  if (!same && share_elements(x, y)) throw ArgumentError(std::string(name) + ": y overlaps x without being x");
}

void check_pair(std::string_view name, std::span<const float> x, std::span<float> y) {
  if (y.size() != x.size()) throw ShapeError(std::string(name) + ": y", {1, y.size()}, {1, x.size()});
  check_pair(name, as_row(x), as_row(y));
}

// kernel(x_piece, y_piece, n) over matching pieces of x and y: the whole when both are
// contiguous, else row by row.
template <class Kernel>
void for_pieces(ConstView<float> x, MatrixView<float> y, const Kernel& kernel) {
  const std::size_t rows = x.rows(), cols = x.cols();
  if (rows == 0 || cols == 0) return;
  if (rows == 1 || (x.stride() == cols && y.stride() == cols)) {
    const std::size_t n = rows * cols;
    for_ranges(n, n, kChunk, [&](std::size_t b, std::size_t e) { kernel(x.data() + b, y.data() + b, e - b); });
    return;
  }
  for_ranges(rows, rows * cols, kChunk / cols, [&](std::size_t b, std::size_t e) {
    for (std::size_t r = b; r < e; ++r) kernel(x.row(r).data(), y.row(r).data(), cols);
  });
}

auto activation_kernel(Activation activation) {
  return [activation](const float* xp, float* yp, std::size_t n) { kernels::ActivationForward(activation, xp, yp, n); };
}

auto map_kernel(kernels::UnaryOp op) {
  return [op](const float* xp, float* yp, std::size_t n) { kernels::UnaryMap(op, xp, yp, n); };
}

auto axpy_kernel(float alpha) {
  return [alpha](const float* xp, float* yp, std::size_t n) { kernels::Axpy(alpha, xp, yp, n); };
}

template <class Kernel>
void unary(std::string_view name, const Kernel& kernel, ConstView<float> x, MatrixView<float> y) {
  check_pair(name, x, y);
  for_pieces(x, y, kernel);
}

template <class Kernel>
void unary(std::string_view name, const Kernel& kernel, std::span<const float> x, std::span<float> y) {
  check_pair(name, x, y);
  for_pieces(as_row(x), as_row(y), kernel);
}

double row_ssd(ConstView<float> a, ConstView<float> b, std::size_t r) {
  return kernels::SumSquaredDifference(a.row(r).data(), b.row(r).data(), a.cols());
}

}  // namespace

void activate(Activation activation, std::span<const float> x, std::span<float> y) {
  unary(to_string(activation), activation_kernel(activation), x, y);
}
void activate(Activation activation, ConstView<float> x, MatrixView<float> y) {
  unary(to_string(activation), activation_kernel(activation), x, y);
}
void sigmoid(std::span<const float> x, std::span<float> y) { activate(Activation::kSigmoid, x, y); }
void tanh(std::span<const float> x, std::span<float> y) { activate(Activation::kTanh, x, y); }
void relu(std::span<const float> x, std::span<float> y) { activate(Activation::kRelu, x, y); }
void exp(std::span<const float> x, std::span<float> y) { unary("exp", map_kernel(kernels::UnaryOp::kExp), x, y); }
void softplus(std::span<const float> x, std::span<float> y) {
  unary("softplus", map_kernel(kernels::UnaryOp::kSoftplus), x, y);
}
void sigmoid(ConstView<float> x, MatrixView<float> y) { activate(Activation::kSigmoid, x, y); }
void tanh(ConstView<float> x, MatrixView<float> y) { activate(Activation::kTanh, x, y); }
void relu(ConstView<float> x, MatrixView<float> y) { activate(Activation::kRelu, x, y); }
void exp(ConstView<float> x, MatrixView<float> y) { unary("exp", map_kernel(kernels::UnaryOp::kExp), x, y); }
void softplus(ConstView<float> x, MatrixView<float> y) {
  unary("softplus", map_kernel(kernels::UnaryOp::kSoftplus), x, y);
}

void axpy(float alpha, std::span<const float> x, std::span<float> y) {
  check_pair("axpy", x, y);
  for_pieces(as_row(x), as_row(y), axpy_kernel(alpha));
}

void axpy(float alpha, ConstView<float> x, MatrixView<float> y) {
  check_pair("axpy", x, y);
  for_pieces(x, y, axpy_kernel(alpha));
}

void add_row_vector(MatrixView<float> m, std::span<const float> v) {
  if (v.size() != m.cols()) throw ShapeError("add_row_vector: v", {1, v.size()}, {1, m.cols()});
  if (m.empty()) return;
  for_ranges(m.rows(), m.rows() * m.cols(), kChunk / m.cols(), [&](std::size_t b, std::size_t e) {
    for (std::size_t r = b; r < e; ++r) kernels::Axpy(1.0f, v.data(), m.row(r).data(), m.cols());
  });
}

void column_sums(ConstView<float> m, std::span<float> sums) {
  if (sums.size() != m.cols()) throw ShapeError("column_sums: sums", {1, sums.size()}, {1, m.cols()});
  if (m.rows() == 0) {
    std::ranges::fill(sums, 0.0f);
    return;
  }
  const std::size_t groups = (m.cols() + kColumnGroup - 1) / kColumnGroup;
  for_ranges(groups, m.rows() * m.cols(), 1, [&](std::size_t b, std::size_t e) {
    const std::size_t j0 = b * kColumnGroup, j1 = std::min(m.cols(), e * kColumnGroup);
    kernels::ColumnSums(m.data() + j0, m.rows(), j1 - j0, m.stride(), sums.data() + j0);
  });
}

double sum_squared_difference(ConstView<float> a, ConstView<float> b) {
  expect_shape("sum_squared_difference: b", b.shape(), a.shape());
  if (a.empty()) return 0.0;
  const std::size_t rows = a.rows(), cols = a.cols();
  if (!go_parallel(rows * cols)) {
    double total = 0.0;
    for (std::size_t r = 0; r < rows; ++r) total += row_ssd(a, b, r);
    return total;
  }
  std::vector<double> row_sums(rows);
  for_ranges(rows, rows * cols, kChunk / cols, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t r = lo; r < hi; ++r) row_sums[r] = row_ssd(a, b, r);
  });
  double total = 0.0;
  for (double s : row_sums) total += s;
  return total;
}

double squared_error_row(std::span<const float> x, std::span<const float> t, double scale, std::span<float> g) {
  if (t.size() != x.size()) throw ShapeError("squared_error_row: t", {1, t.size()}, {1, x.size()});
  if (!g.empty() && g.size() != x.size()) throw ShapeError("squared_error_row: g", {1, g.size()}, {1, x.size()});
  return kernels::SquaredErrorRow(x.data(), t.data(), x.size(), scale, g.empty() ? nullptr : g.data());
}

}  // namespace gibbs::simd
