// fit_pca over moments() and largest_eigenpairs(); projection and reconstruction row by row in
// double (rows are independent, so any thread count gives the same bits).
module;
#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>
module gibbs.linalg;
import gibbs.core;

namespace gibbs::linalg {
namespace {

// body(first, last) over row ranges, in parallel when there is enough work.
template <class Body>
void for_rows(std::size_t rows, std::size_t work_per_row, const Body& body) {
  constexpr std::size_t kTaskWork = std::size_t{1} << 16;
  const std::size_t grain = std::max<std::size_t>(1, kTaskWork / std::max<std::size_t>(work_per_row, 1));
  if (rows <= grain || thread_count() <= 1) return body(std::size_t{0}, rows);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, rows, grain),
                    [&](const tbb::blocked_range<std::size_t>& r) { body(r.begin(), r.end()); });
}

}  // namespace

Pca fit_pca(ConstView<float> x, std::size_t components) {
  if (x.rows() == 0) throw ArgumentError("pca: no rows to fit");
  if (components > x.cols())
    throw ArgumentError(
        fmt::format("pca: {} components asked of rows of {} values (at most {})", components, x.cols(), x.cols()));
  Moments m = moments(x);
  if (!std::all_of(m.mean.begin(), m.mean.end(), [](double v) { return std::isfinite(v); }))
    throw ArgumentError("pca: the rows hold a value that is not finite");
  Eigenpairs e = largest_eigenpairs(m.covariance, components);
  return {std::move(m.mean), std::move(e.vectors), std::move(e.values)};
}

Matrix<float> Pca::project(ConstView<float> x) const {
  const std::size_t d = width(), k = components();
  if (x.cols() != d) throw ShapeError("pca: rows to project", x.shape(), {x.rows(), d});
  // directions transposed [width, components], so that each value adds to every code at once.
  Matrix<double> by_value(d, k);
  for (std::size_t c = 0; c < k; ++c)
    for (std::size_t i = 0; i < d; ++i) by_value(i, c) = directions(c, i);
  Matrix<float> codes(x.rows(), k);
  for_rows(x.rows(), d * k, [&](std::size_t first, std::size_t last) {
    std::vector<double> code(k);
    for (std::size_t r = first; r < last; ++r) {
      std::fill(code.begin(), code.end(), 0.0);
      const float* row = x.row(r).data();
      for (std::size_t i = 0; i < d; ++i) {
        const double centred = static_cast<double>(row[i]) - mean[i];
        const double* to = by_value.row(i).data();
        for (std::size_t c = 0; c < k; ++c) code[c] += centred * to[c];
      }
      for (std::size_t c = 0; c < k; ++c) codes(r, c) = static_cast<float>(code[c]);
    }
  });
  return codes;
}

Matrix<float> Pca::reconstruct(ConstView<float> codes) const {
  const std::size_t d = width(), k = components();
  if (codes.cols() != k) throw ShapeError("pca: codes to reconstruct from", codes.shape(), {codes.rows(), k});
  Matrix<float> rows(codes.rows(), d);
  for_rows(codes.rows(), d * std::max<std::size_t>(k, 1), [&](std::size_t first, std::size_t last) {
    std::vector<double> row(d);
    for (std::size_t r = first; r < last; ++r) {
      std::copy(mean.begin(), mean.end(), row.begin());
      for (std::size_t c = 0; c < k; ++c) {
        const double code = codes(r, c);
        const double* direction = directions.row(c).data();
        for (std::size_t i = 0; i < d; ++i) row[i] += code * direction[i];
      }
      for (std::size_t i = 0; i < d; ++i) rows(r, i) = static_cast<float>(row[i]);
    }
  });
  return rows;
}

double squared_error_per_row(ConstView<float> x, ConstView<float> y) {
  if (y.shape() != x.shape()) throw ShapeError("squared_error_per_row", y.shape(), x.shape());
  if (x.rows() == 0) return 0;
  double total = 0;
  for (std::size_t r = 0; r < x.rows(); ++r) {
    double row = 0;
    for (std::size_t i = 0; i < x.cols(); ++i) {
      const double e = static_cast<double>(y(r, i)) - static_cast<double>(x(r, i));
      row += e * e;
    }
    total += row;
  }
  return total / static_cast<double>(x.rows());
}

}  // namespace gibbs::linalg
