// gibbs.linalg: moments against a naive double-precision reference on every Highway target, the
// eigenpairs of a matrix built from known ones, PCA against a known answer (orthonormal
// directions with distinct variances) and against power iteration, reconstruction at full rank
// and with no components, the same bits for any thread count, and the errors.
#define BOOST_TEST_MODULE linalg
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <vector>
import gibbs.core;
import gibbs.simd;
import gibbs.linalg;

using gibbs::ConstView;
using gibbs::Matrix;
namespace linalg = gibbs::linalg;

namespace {

Matrix<float> random_rows(std::size_t rows, std::size_t cols, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Matrix<float> x(rows, cols);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) x(r, c) = 0.3f * static_cast<float>(c % 5) + u(rng);
  return x;
}

// Columns of an n × k matrix with orthonormal columns (Gram–Schmidt on random vectors, twice).
Matrix<double> orthonormal_columns(std::size_t n, std::size_t k, std::mt19937& rng) {
  std::normal_distribution<double> normal;
  Matrix<double> q(n, k);
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t i = 0; i < n; ++i) q(i, c) = normal(rng);
    for (int pass = 0; pass < 2; ++pass)
      for (std::size_t p = 0; p < c; ++p) {
        double dot = 0;
        for (std::size_t i = 0; i < n; ++i) dot += q(i, c) * q(i, p);
        for (std::size_t i = 0; i < n; ++i) q(i, c) -= dot * q(i, p);
      }
    double norm = 0;
    for (std::size_t i = 0; i < n; ++i) norm += q(i, c) * q(i, c);
    for (std::size_t i = 0; i < n; ++i) q(i, c) /= std::sqrt(norm);
  }
  return q;
}

// The sign rule: the largest-magnitude entry (the first on a tie) made positive.
std::vector<double> signed_by_rule(std::vector<double> v) {
  std::size_t biggest = 0;
  for (std::size_t i = 1; i < v.size(); ++i)
    if (std::abs(v[i]) > std::abs(v[biggest])) biggest = i;
  if (v[biggest] < 0)
    for (double& x : v) x = -x;
  return v;
}

double max_difference(std::span<const double> a, std::span<const double> b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

template <class T>
bool same_bits(std::span<const T> a, std::span<const T> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

struct ThreadCount {
  explicit ThreadCount(int n) { gibbs::set_thread_count(n); }
  ~ThreadCount() { gibbs::set_thread_count(0); }
};

}  // namespace

// Widths around the vector and tile sizes, rows across the 256-row panels.
BOOST_AUTO_TEST_CASE(moments_equal_a_naive_double_reference_on_every_target) {
  std::mt19937 rng(3);
  for (const auto& target : gibbs::simd::available_targets()) {
    gibbs::simd::ScopedTarget pin(target);
    for (const std::size_t cols : {1, 2, 3, 7, 17, 33, 97, 130})
      for (const std::size_t rows : {1, 2, 255, 300, 513}) {
        const Matrix<float> x = random_rows(rows, cols, rng);
        const linalg::Moments m = linalg::moments(x);
        std::vector<double> mean(cols, 0.0);
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t c = 0; c < cols; ++c) mean[c] += x(r, c);
        for (double& v : mean) v /= static_cast<double>(rows);
        BOOST_TEST(same_bits<double>(m.mean, mean), target.name << " " << rows << "x" << cols);
        double worst = 0;
        for (std::size_t i = 0; i < cols; ++i)
          for (std::size_t j = 0; j < cols; ++j) {
            double s = 0;
            for (std::size_t r = 0; r < rows; ++r) s += (x(r, i) - mean[i]) * (x(r, j) - mean[j]);
            s /= rows > 1 ? static_cast<double>(rows - 1) : 1.0;
            worst = std::max(worst, std::abs(m.covariance(i, j) - s));
            BOOST_TEST(m.covariance(i, j) == m.covariance(j, i));
          }
        BOOST_TEST(worst < 1e-12, target.name << " " << rows << "x" << cols << ": " << worst);
      }
  }
}

BOOST_AUTO_TEST_CASE(eigenpairs_of_a_matrix_built_from_known_ones) {
  std::mt19937 rng(5);
  const std::size_t n = 9;
  const Matrix<double> q = orthonormal_columns(n, n, rng);
  const std::vector<double> lambda = {-2.0, 0.5, 7.0, 3.0, 1.0, 0.0, 4.5, -1.0, 2.0};
  Matrix<double> a(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) a(i, j) += q(i, k) * lambda[k] * q(j, k);
  const linalg::Eigenpairs e = linalg::largest_eigenpairs(a, 4);
  const std::vector<double> expected = {7.0, 4.5, 3.0, 2.0};
  const std::size_t column[] = {2, 6, 3, 8};
  BOOST_TEST(e.values.size() == 4u);
  BOOST_TEST(max_difference(e.values, expected) < 1e-12);
  for (std::size_t k = 0; k < 4; ++k) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = q(i, column[k]);
    BOOST_TEST(max_difference(e.vectors.row(k), signed_by_rule(v)) < 1e-12, "vector " << k);
  }
  BOOST_TEST(linalg::largest_eigenpairs(a, 0).values.empty());
  BOOST_CHECK_THROW(linalg::largest_eigenpairs(a, 10), gibbs::ArgumentError);
}

// x = mean + A·Qᵀ: the columns of A are ±s_c Hadamard patterns (orthogonal, each summing to 0),
// so the covariance is Q·diag(s_c² · 8/7)·Qᵀ exactly: the directions are Q's columns, the
// variances s_c² · 8/7, and the rows lie in their span.
BOOST_AUTO_TEST_CASE(pca_finds_known_orthonormal_directions_with_distinct_variances) {
  std::mt19937 rng(7);
  const std::size_t rows = 8, width = 10, k = 3;
  const double scale[k] = {2.0, 3.0, 1.0};  // the largest variance is the second pattern's
  const Matrix<double> q = orthonormal_columns(width, k, rng);
  Matrix<float> x(rows, width);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t i = 0; i < width; ++i) {
      double v = 0.1 * static_cast<double>(i);
      for (std::size_t c = 0; c < k; ++c) {
        const double hadamard = __builtin_popcount(static_cast<unsigned>(r & (c + 1))) % 2 ? -1.0 : 1.0;
        v += scale[c] * hadamard * q(i, c);
      }
      x(r, i) = static_cast<float>(v);
    }
  const linalg::Pca pca = linalg::fit_pca(x, k);
  BOOST_TEST(pca.width() == width);
  BOOST_TEST(pca.components() == k);
  const std::size_t order[k] = {1, 0, 2};
  for (std::size_t c = 0; c < k; ++c) {
    const double s = scale[order[c]];
    BOOST_TEST(std::abs(pca.variances[c] - s * s * 8 / 7) < 1e-5, c << ": " << pca.variances[c]);
    std::vector<double> v(width);
    for (std::size_t i = 0; i < width; ++i) v[i] = q(i, order[c]);
    BOOST_TEST(max_difference(pca.directions.row(c), signed_by_rule(v)) < 1e-5, "direction " << c);
  }
  for (std::size_t i = 0; i < width; ++i) BOOST_TEST(std::abs(pca.mean[i] - 0.1 * static_cast<double>(i)) < 1e-6);
  // Three components hold every row: the reconstruction is the row.
  const Matrix<float> back = pca.reconstruct(pca.project(x));
  BOOST_TEST(linalg::squared_error_per_row(x, back) < 1e-10);
  // Two leave the third pattern out: an error of s² · |q|² = 1 per row.
  const linalg::Pca two = linalg::fit_pca(x, 2);
  BOOST_TEST(std::abs(linalg::squared_error_per_row(x, two.reconstruct(two.project(x))) - 1.0) < 1e-5);
}

// Power iteration with deflation on the covariance computed naively in the test.
BOOST_AUTO_TEST_CASE(pca_agrees_with_power_iteration) {
  std::mt19937 rng(11);
  const std::size_t rows = 400, width = 12, k = 4;
  const Matrix<double> q = orthonormal_columns(width, width, rng);
  std::normal_distribution<double> normal;
  Matrix<float> x(rows, width);
  for (std::size_t r = 0; r < rows; ++r) {
    std::vector<double> z(width);
    for (std::size_t c = 0; c < width; ++c) z[c] = normal(rng) * 4.0 / static_cast<double>(c + 1);
    for (std::size_t i = 0; i < width; ++i) {
      double v = 0.5;
      for (std::size_t c = 0; c < width; ++c) v += q(i, c) * z[c];
      x(r, i) = static_cast<float>(v);
    }
  }
  std::vector<double> mean(width, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t i = 0; i < width; ++i) mean[i] += x(r, i);
  for (double& m : mean) m /= rows;
  Matrix<double> cov(width, width);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t i = 0; i < width; ++i)
      for (std::size_t j = 0; j < width; ++j) cov(i, j) += (x(r, i) - mean[i]) * (x(r, j) - mean[j]) / (rows - 1);

  const linalg::Pca pca = linalg::fit_pca(x, k);
  for (std::size_t c = 0; c < k; ++c) {
    std::vector<double> v(width, 1.0), next(width);
    double lambda = 0;
    for (int step = 0; step < 5000; ++step) {
      for (std::size_t i = 0; i < width; ++i) {
        next[i] = 0;
        for (std::size_t j = 0; j < width; ++j) next[i] += cov(i, j) * v[j];
      }
      double norm = 0;
      for (const double n : next) norm += n * n;
      lambda = std::sqrt(norm);
      for (std::size_t i = 0; i < width; ++i) v[i] = next[i] / lambda;
    }
    v = signed_by_rule(v);
    BOOST_TEST(std::abs(pca.variances[c] - lambda) < 1e-9 * lambda, c << ": " << pca.variances[c] << " " << lambda);
    BOOST_TEST(max_difference(pca.directions.row(c), v) < 1e-7, "direction " << c);
    for (std::size_t i = 0; i < width; ++i)  // deflate
      for (std::size_t j = 0; j < width; ++j) cov(i, j) -= lambda * v[i] * v[j];
  }
}

BOOST_AUTO_TEST_CASE(full_rank_reconstructs_the_rows_and_no_components_give_the_mean) {
  std::mt19937 rng(13);
  const Matrix<float> x = random_rows(50, 20, rng);
  const linalg::Pca full = linalg::fit_pca(x, 20);
  const Matrix<float> back = full.reconstruct(full.project(x));
  double worst = 0;
  for (std::size_t r = 0; r < x.rows(); ++r)
    for (std::size_t i = 0; i < x.cols(); ++i) worst = std::max(worst, std::abs(double(back(r, i)) - x(r, i)));
  BOOST_TEST(worst < 1e-5);
  // The directions are orthonormal.
  for (std::size_t a = 0; a < 20; ++a)
    for (std::size_t b = 0; b < 20; ++b) {
      double dot = 0;
      for (std::size_t i = 0; i < 20; ++i) dot += full.directions(a, i) * full.directions(b, i);
      BOOST_TEST(std::abs(dot - (a == b ? 1.0 : 0.0)) < 1e-12);
    }
  for (std::size_t c = 1; c < 20; ++c) BOOST_TEST(full.variances[c] <= full.variances[c - 1]);

  const linalg::Pca none = linalg::fit_pca(x, 0);
  const Matrix<float> codes = none.project(x);
  BOOST_TEST(codes.rows() == 50u);
  BOOST_TEST(codes.cols() == 0u);
  const Matrix<float> means = none.reconstruct(codes);
  for (std::size_t r = 0; r < x.rows(); ++r)
    for (std::size_t i = 0; i < x.cols(); ++i) BOOST_TEST(means(r, i) == static_cast<float>(none.mean[i]));
}

BOOST_AUTO_TEST_CASE(any_thread_count_gives_the_same_bits) {
  std::mt19937 rng(17);
  const Matrix<float> x = random_rows(1100, 150, rng);
  linalg::Pca one, two;
  Matrix<float> one_codes, two_codes;
  {
    const ThreadCount threads(1);
    one = linalg::fit_pca(x, 10);
    one_codes = one.project(x);
  }
  {
    const ThreadCount threads(2);
    two = linalg::fit_pca(x, 10);
    two_codes = two.project(x);
  }
  BOOST_TEST(same_bits<double>(one.mean, two.mean));
  BOOST_TEST(same_bits<double>(one.variances, two.variances));
  BOOST_TEST(same_bits<double>(one.directions.values(), two.directions.values()));
  BOOST_TEST(same_bits<float>(one_codes.values(), two_codes.values()));
}

BOOST_AUTO_TEST_CASE(bad_input_is_a_clear_error) {
  std::mt19937 rng(19);
  const Matrix<float> x = random_rows(5, 4, rng);
  const auto message = [](auto&& f) {
    try {
      f();
    } catch (const gibbs::ArgumentError& e) {
      return std::string(e.what());
    }
    return std::string("no ArgumentError");
  };
  BOOST_TEST(message([&] { linalg::fit_pca(x, 5); }) == "pca: 5 components asked of rows of 4 values (at most 4)");
  BOOST_TEST(message([&] { linalg::fit_pca(Matrix<float>(0, 4), 2); }) == "pca: no rows to fit");
  Matrix<float> bad(x);
  bad(2, 1) = NAN;
  BOOST_TEST(message([&] { linalg::fit_pca(bad, 2); }) == "pca: the rows hold a value that is not finite");
  const linalg::Pca pca = linalg::fit_pca(x, 2);
  BOOST_CHECK_THROW(pca.project(Matrix<float>(3, 5)), gibbs::ShapeError);
  BOOST_CHECK_THROW(pca.reconstruct(Matrix<float>(3, 3)), gibbs::ShapeError);
  BOOST_CHECK_THROW(linalg::squared_error_per_row(x, Matrix<float>(5, 3)), gibbs::ShapeError);
}
