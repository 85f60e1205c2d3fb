// gibbs::simd elementwise kernels against double-precision references, on every compiled target.
#define BOOST_TEST_MODULE elementwise
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>
import gibbs.core;
import gibbs.simd;

using gibbs::ConstView;
using gibbs::Matrix;
using gibbs::MatrixView;
namespace simd = gibbs::simd;

namespace {

using SpanFn = void (*)(std::span<const float>, std::span<float>);
using ViewFn = void (*)(ConstView<float>, MatrixView<float>);

// One function under test: the kernels, a double reference and the bound it must meet:
// |y − ref| <= rel·|ref| + abs, where abs covers results in float's subnormal range.
struct Unary {
  std::string name;
  SpanFn span_fn;
  ViewFn view_fn;
  std::function<double(double)> reference;
  double rel;
  double abs;
};

constexpr double kSubnormalUlp = 1.401298464324817e-45;  // 2⁻¹⁴⁹

const std::vector<Unary>& unaries() {
  static const std::vector<Unary> all = {
      {"sigmoid", simd::sigmoid, simd::sigmoid, [](double x) { return 1.0 / (1.0 + std::exp(-x)); }, 2e-7,
       kSubnormalUlp},
      {"tanh", simd::tanh, simd::tanh, [](double x) { return std::tanh(x); }, 3e-7, kSubnormalUlp},
      {"relu", simd::relu, simd::relu, [](double x) { return x > 0 ? x : 0.0; }, 0.0, 0.0},
      {"exp", simd::exp, simd::exp, [](double x) { return std::exp(x); }, 1.5e-7, kSubnormalUlp},
      {"softplus", simd::softplus, simd::softplus,
       [](double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }, 3e-7, kSubnormalUlp},
  };
  return all;
}

// [-100, 100] in steps of 1/512, the extremes, and random values of every magnitude.
std::vector<float> wide_inputs() {
  std::vector<float> x;
  for (int i = -100 * 512; i <= 100 * 512; ++i) x.push_back(static_cast<float>(i) / 512.0f);
  for (float v :
       {0.0f,   -0.0f,   1e-30f,  -1e-30f, 1e-40f, -1e-40f, 87.0f,  -87.0f,  88.5f, 88.72f, 88.73f,  89.0f,
        -88.5f, -103.0f, -104.0f, -105.0f, 150.0f, -150.0f, 200.0f, -200.0f, 1e10f, -1e10f, FLT_MAX, -FLT_MAX})
    x.push_back(v);
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> u(-110.0f, 110.0f);
  std::uniform_real_distribution<float> e(-40.0f, 40.0f);
  for (int i = 0; i < 20000; ++i) x.push_back(u(rng));
  for (int i = 0; i < 20000; ++i) x.push_back((i % 2 ? 1.0f : -1.0f) * std::exp2(e(rng)));
  return x;
}

double reference_float(const Unary& f, float x) {
  const double r = f.reference(x);
  return std::isinf(r) || std::abs(r) > FLT_MAX ? std::copysign(INFINITY, r) : r;
}

// Checks every result against its bound; returns the largest |y − ref| / |ref| over
// normal-range results and (in subnormal_worst) the largest |y − ref| over the others.
double check_values(const Unary& f, const std::vector<float>& x, const std::vector<float>& y,
                    double* subnormal_worst = nullptr) {
  double worst = 0;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double ref = reference_float(f, x[i]);
    if (std::isinf(ref)) {
      if (y[i] != static_cast<float>(ref) && bad++ < 5)
        BOOST_ERROR(f.name << "(" << x[i] << ") = " << y[i] << ", expected " << ref);
      continue;
    }
    const double err = std::abs(y[i] - ref);
    if (std::abs(ref) >= FLT_MIN)
      worst = std::max(worst, err / std::abs(ref));
    else if (subnormal_worst != nullptr)
      *subnormal_worst = std::max(*subnormal_worst, err);
    if (!(err <= f.rel * std::abs(ref) + f.abs) && bad++ < 5)
      BOOST_ERROR(f.name << "(" << x[i] << ") = " << y[i] << ", expected " << ref << " on "
                         << simd::current_target().name);
  }
  BOOST_TEST(bad == 0u, f.name << ": " << bad << " values out of bound");
  return worst;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_function_matches_its_double_reference_on_every_target) {
  const std::vector<float> x = wide_inputs();
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (const Unary& f : unaries()) {
      std::vector<float> y(x.size());
      f.span_fn(x, y);
      double subnormal_worst = 0;
      const double worst = check_values(f, x, y, &subnormal_worst);
      BOOST_TEST_MESSAGE(target.name << " " << f.name << ": max relative error " << worst
                                     << ", max absolute error below FLT_MIN " << subnormal_worst);
    }
  }
}

BOOST_AUTO_TEST_CASE(sigmoid_and_softplus_at_the_extremes) {
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    const std::vector<float> x = {100.0f, -100.0f, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY};
    std::vector<float> s(x.size()), p(x.size()), t(x.size()), e(x.size());
    simd::sigmoid(x, s);
    simd::softplus(x, p);
    simd::tanh(x, t);
    simd::exp(x, e);
    BOOST_TEST(s[0] == 1.0f);
    BOOST_TEST(std::abs(s[1] - std::exp(-100.0)) <= kSubnormalUlp);  // 3.7e-44, subnormal
    BOOST_TEST(s[1] > 0.0f);
    BOOST_TEST((s[2] == 1.0f && s[3] == 0.0f && s[4] == 1.0f && s[5] == 0.0f));
    BOOST_TEST(p[0] == 100.0f);
    BOOST_TEST(std::abs(p[1] - std::exp(-100.0)) <= kSubnormalUlp);  // softplus(−100) ≈ 3.7e-44
    BOOST_TEST(p[1] > 0.0f);
    BOOST_TEST((p[2] == FLT_MAX && p[3] == 0.0f && p[4] == INFINITY && p[5] == 0.0f));
    BOOST_TEST((t[0] == 1.0f && t[1] == -1.0f && t[2] == 1.0f && t[3] == -1.0f && t[4] == 1.0f && t[5] == -1.0f));
    BOOST_TEST((e[2] == INFINITY && e[3] == 0.0f && e[4] == INFINITY && e[5] == 0.0f));
  }
}

BOOST_AUTO_TEST_CASE(nan_in_gives_nan_out) {
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (const Unary& f : unaries()) {
      std::vector<float> x(19, 0.5f), y(19);
      x[3] = x[18] = std::numeric_limits<float>::quiet_NaN();
      f.span_fn(x, y);
      BOOST_TEST((std::isnan(y[3]) && std::isnan(y[18]) && !std::isnan(y[4])), f.name << " on " << target.name);
    }
  }
}

BOOST_AUTO_TEST_CASE(odd_lengths_leave_the_rest_untouched) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-20.0f, 20.0f);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (std::size_t n : {0, 1, 7, 15, 17, 63, 65, 1000}) {
      for (const Unary& f : unaries()) {
        std::vector<float> x(n + 8), y(n + 8, -7.0f);
        for (float& v : x) v = u(rng);
        f.span_fn(std::span<const float>(x).first(n), std::span<float>(y).first(n));
        const std::vector<float> head(x.begin(), x.begin() + n), out(y.begin(), y.begin() + n);
        check_values(f, head, out);
        BOOST_TEST(std::all_of(y.begin() + n, y.end(), [](float v) { return v == -7.0f; }), f.name << " n=" << n);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(in_place_gives_the_same_as_out_of_place) {
  std::vector<float> x(1001);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) / 10.0f - 50.0f;
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (const Unary& f : unaries()) {
      std::vector<float> out(x.size()), in_place = x;
      f.span_fn(x, out);
      f.span_fn(in_place, in_place);
      BOOST_TEST(in_place == out, f.name);
    }
    std::vector<float> y = x;
    simd::axpy(0.5f, y, y);
    for (std::size_t i = 0; i < x.size(); ++i) BOOST_TEST(y[i] == x[i] * 1.5f);
  }
}

BOOST_AUTO_TEST_CASE(strided_views_do_not_touch_the_padding) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-10.0f, 10.0f);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    const std::size_t rows = 9, cols = 17, pad = 5;
    Matrix<float> xs(rows, cols + pad), ys(rows, cols + pad, -7.0f);
    for (float& v : xs.values()) v = u(rng);
    const ConstView<float> x(xs.data(), rows, cols, cols + pad);
    const MatrixView<float> y(ys.data(), rows, cols, cols + pad);
    for (const Unary& f : unaries()) {
      ys.fill(-7.0f);
      f.view_fn(x, y);
      for (std::size_t r = 0; r < rows; ++r) {
        std::vector<float> out(cols);
        f.span_fn(x.row(r), out);
        BOOST_TEST(std::equal(out.begin(), out.end(), y.row(r).begin()), f.name << " row " << r);
        for (std::size_t c = cols; c < cols + pad; ++c) BOOST_TEST(ys(r, c) == -7.0f);
      }
    }
    // In place on a view, and add_row_vector / axpy on a view.
    Matrix<float> zs = xs;
    const MatrixView<float> z(zs.data(), rows, cols, cols + pad);
    simd::sigmoid(z, z);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols + pad; ++c) {
        std::vector<float> one(1);
        simd::sigmoid(std::span<const float>(&xs(r, c), 1), one);
        BOOST_TEST(zs(r, c) == (c < cols ? one[0] : xs(r, c)));
      }
    std::vector<float> bias(cols);
    for (float& v : bias) v = u(rng);
    std::ranges::copy(xs.values(), zs.values().begin());  // z still views zs's storage
    simd::add_row_vector(z, bias);
    Matrix<float> ws = xs;
    const MatrixView<float> w(ws.data(), rows, cols, cols + pad);
    simd::axpy(-2.0f, x, w);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols + pad; ++c) {
        BOOST_TEST(zs(r, c) == (c < cols ? xs(r, c) + bias[c] : xs(r, c)));
        BOOST_TEST(ws(r, c) == (c < cols ? std::fma(-2.0f, xs(r, c), xs(r, c)) : xs(r, c)));
      }
  }
}

BOOST_AUTO_TEST_CASE(axpy_matches_a_naive_loop) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-100.0f, 100.0f);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (std::size_t n : {0, 1, 7, 15, 17, 63, 65, 1000, 100000}) {
      std::vector<float> x(n), y(n);
      for (float& v : x) v = u(rng);
      for (float& v : y) v = u(rng);
      const std::vector<float> y0 = y;
      const float alpha = 0.37f;
      simd::axpy(alpha, x, y);
      std::size_t bad = 0;
      for (std::size_t i = 0; i < n; ++i) {
        // Fused (one rounding) or not (two): within half an ulp of each partial result.
        const double exact = static_cast<double>(alpha) * x[i] + y0[i];
        const double bound = 0x1p-24 * (std::abs(static_cast<double>(alpha) * x[i]) + std::abs(exact)) * 1.0001;
        if (std::abs(y[i] - exact) > bound) ++bad;
      }
      BOOST_TEST(bad == 0u, "axpy n=" << n << " on " << target.name);
    }
  }
}

BOOST_AUTO_TEST_CASE(column_sums_match_a_naive_double_loop) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (auto [rows, cols] : {std::pair<std::size_t, std::size_t>{0, 5},
                              {1, 1},
                              {3, 7},
                              {128, 500},
                              {20, 784},
                              {65, 63},
                              {1000, 65},
                              {600, 200}}) {
      const std::size_t pad = 3;
      Matrix<float> ms(rows, cols + pad);
      for (float& v : ms.values()) v = u(rng);
      const ConstView<float> m(ms.data(), rows, cols, cols + pad);
      std::vector<float> sums(cols, NAN);
      simd::column_sums(m, sums);
      std::size_t bad = 0;
      for (std::size_t j = 0; j < cols; ++j) {
        double s = 0;
        for (std::size_t i = 0; i < rows; ++i) s += m(i, j);
        if (sums[j] != static_cast<float>(s)) ++bad;  // summed in double in row order: exact match
      }
      BOOST_TEST(bad == 0u, rows << "x" << cols << " on " << target.name);
    }
  }
}

BOOST_AUTO_TEST_CASE(add_row_vector_matches_a_naive_loop) {
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (std::size_t cols : {1, 7, 17, 65, 500}) {
      Matrix<float> m(13, cols), expected(13, cols);
      std::vector<float> v(cols);
      for (std::size_t j = 0; j < cols; ++j) v[j] = 0.25f * static_cast<float>(j) - 3.0f;
      for (std::size_t i = 0; i < 13; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
          m(i, j) = static_cast<float>(i) * 1.5f - static_cast<float>(j);
          expected(i, j) = m(i, j) + v[j];
        }
      simd::add_row_vector(m, v);
      BOOST_TEST(std::equal(m.values().begin(), m.values().end(), expected.values().begin()), cols);
    }
  }
}

BOOST_AUTO_TEST_CASE(sum_squared_difference_matches_a_naive_double_loop) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (auto [rows, cols] : {std::pair<std::size_t, std::size_t>{0, 0}, {1, 1}, {3, 17}, {128, 784}, {300, 65}}) {
      Matrix<float> a(rows, cols + 2), b(rows, cols + 2);
      for (float& v : a.values()) v = u(rng);
      for (float& v : b.values()) v = u(rng);
      const ConstView<float> av(a.data(), rows, cols, cols + 2), bv(b.data(), rows, cols, cols + 2);
      double expected = 0;
      for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
          const double e = static_cast<double>(av(i, j)) - bv(i, j);
          expected += e * e;
        }
      const double got = simd::sum_squared_difference(av, bv);
      BOOST_TEST(std::abs(got - expected) <= 1e-12 * expected, rows << "x" << cols << " on " << target.name);
      BOOST_TEST(simd::sum_squared_difference(av, av) == 0.0);
    }
  }
}

BOOST_AUTO_TEST_CASE(results_are_bit_identical_for_any_thread_count) {
  std::mt19937 rng(13);
  std::uniform_real_distribution<float> u(-30.0f, 30.0f);
  Matrix<float> x(700, 513);  // large enough to run in parallel
  for (float& v : x.values()) v = u(rng);
  struct Result {
    Matrix<float> sig, soft, added, axpy;
    std::vector<float> sums;
    double ssd;
  };
  const auto run = [&](int threads) {
    gibbs::set_thread_count(threads);
    Result r{Matrix<float>(700, 513), Matrix<float>(700, 513), x, x, std::vector<float>(513), 0.0};
    simd::sigmoid(x, r.sig);
    simd::softplus(x.values(), r.soft.values());
    simd::add_row_vector(r.added, x.row(3));
    simd::axpy(0.1f, r.sig, r.axpy);
    simd::column_sums(x, r.sums);
    r.ssd = simd::sum_squared_difference(x, r.sig);
    gibbs::set_thread_count(0);
    return r;
  };
  const Result one = run(1), two = run(2), four = run(4);
  for (const Result* r : {&two, &four}) {
    BOOST_TEST(std::ranges::equal(r->sig.values(), one.sig.values()));
    BOOST_TEST(std::ranges::equal(r->soft.values(), one.soft.values()));
    BOOST_TEST(std::ranges::equal(r->added.values(), one.added.values()));
    BOOST_TEST(std::ranges::equal(r->axpy.values(), one.axpy.values()));
    BOOST_TEST(r->sums == one.sums);
    BOOST_TEST(r->ssd == one.ssd);
  }
}

BOOST_AUTO_TEST_CASE(mismatched_shapes_and_overlaps_are_errors_with_clear_messages) {
  const auto message = [](auto&& call) -> std::string {
    try {
      call();
    } catch (const gibbs::Error& e) {
      return e.what();
    }
    return "no error";
  };
  std::vector<float> a(6), b(5);
  Matrix<float> m(4, 6), n(4, 5);
  BOOST_TEST(message([&] { simd::sigmoid(a, b); }) == "sigmoid: y: shape [1, 5], expected [1, 6]");
  BOOST_TEST(message([&] { simd::softplus(m, n); }) == "softplus: y: shape [4, 5], expected [4, 6]");
  BOOST_TEST(message([&] { simd::axpy(1.0f, a, b); }) == "axpy: y: shape [1, 5], expected [1, 6]");
  BOOST_TEST(message([&] { simd::add_row_vector(m, b); }) == "add_row_vector: v: shape [1, 5], expected [1, 6]");
  BOOST_TEST(message([&] { simd::column_sums(m, b); }) == "column_sums: sums: shape [1, 5], expected [1, 6]");
  BOOST_TEST(message([&] { simd::sum_squared_difference(m, n); }) ==
             "sum_squared_difference: b: shape [4, 5], expected [4, 6]");
  BOOST_CHECK_THROW(simd::sigmoid(a, b), gibbs::ShapeError);
  // Shifted by one element: not the same array, and not apart.
  std::vector<float> c(10);
  BOOST_TEST(message([&] { simd::tanh(std::span<const float>(c).first(9), std::span<float>(c).last(9)); }) ==
             "tanh: y overlaps x without being x");
  BOOST_CHECK_THROW(simd::exp(std::span<const float>(c).first(9), std::span<float>(c).last(9)), gibbs::ArgumentError);
  // Side-by-side blocks of one matrix interleave in memory but share no element: allowed.
  Matrix<float> wide(4, 12, 1.0f);
  simd::relu(wide.view().block(0, 0, 4, 6), wide.view().block(0, 6, 4, 6));
  BOOST_TEST(message([&] { simd::relu(wide.view().block(0, 0, 4, 6), wide.view().block(0, 5, 4, 6)); }) ==
             "relu: y overlaps x without being x");
  BOOST_TEST(message([&] { simd::relu(wide.view().block(1, 0, 3, 6), wide.view().block(0, 0, 3, 6)); }) ==
             "relu: y overlaps x without being x");
}
