// gibbs::simd::gemm against a naive double-precision reference, on every compiled target.
#define BOOST_TEST_MODULE gemm
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>
import gibbs.core;
import gibbs.simd;

using gibbs::ConstView;
using gibbs::Matrix;
using gibbs::MatrixView;
namespace simd = gibbs::simd;

namespace {

// A rows × cols operand inside a wider buffer, so that views with a row stride are exercised:
// uniform in [-1, 1), or every value (padding too) `fill` when one is given.
struct Operand {
  Matrix<float> storage;
  MatrixView<float> view;
  Operand(std::size_t rows, std::size_t cols, std::size_t pad, std::mt19937& rng, std::optional<float> fill = {})
      : storage(rows, cols + pad) {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (float& v : storage.values()) v = fill ? *fill : u(rng);
    view = MatrixView<float>(storage.data(), rows, cols, cols + pad);
  }
};

double reference_activation(double x, simd::Activation act) {
  switch (act) {
    case simd::Activation::kIdentity: return x;
    case simd::Activation::kSigmoid: return 1.0 / (1.0 + std::exp(-x));
    case simd::Activation::kTanh: return std::tanh(x);
    case simd::Activation::kRelu: return x > 0 ? x : 0;
  }
  return x;
}

struct Case {
  std::size_t m, k, n;
  bool ta, tb;
  float alpha = 1.0f, beta = 0.0f;
  std::size_t pad = 0;
  bool bias = false;
  simd::Activation activation = simd::Activation::kIdentity;
};

std::string describe(const Case& c) {
  return "m=" + std::to_string(c.m) + " k=" + std::to_string(c.k) + " n=" + std::to_string(c.n) +
         " ta=" + std::to_string(c.ta) + " tb=" + std::to_string(c.tb) + " alpha=" + std::to_string(c.alpha) +
         " beta=" + std::to_string(c.beta) + " pad=" + std::to_string(c.pad) + " target=" + simd::current_target().name;
}

// Runs one case and checks every element against the double reference, with an error
// bound that grows with K: |error| <= (K + 4)·2⁻²³·(|alpha|·Σ|a·b| + |beta·c| + |bias|).
void check_case(const Case& c, std::uint32_t seed) {
  std::mt19937 rng(seed);
  Operand a(c.ta ? c.k : c.m, c.ta ? c.m : c.k, c.pad, rng);
  Operand b(c.tb ? c.n : c.k, c.tb ? c.k : c.n, c.pad, rng);
  // beta = 0 must never read C: it holds NaN then, which any read (even 0·C) carries into the result.
  const std::optional<float> nan_c =
      c.beta == 0.0f ? std::optional<float>(std::numeric_limits<float>::quiet_NaN()) : std::nullopt;
  Operand out(c.m, c.n, c.pad, rng, nan_c);
  std::vector<float> bias(c.bias ? c.n : 0);
  for (float& v : bias) v = std::uniform_real_distribution<float>(-2, 2)(rng);
  const Matrix<float> c0(ConstView<float>(out.view));
  const Matrix<float> storage_before = out.storage;

  simd::gemm(a.view, b.view, out.view,
             {.transpose_a = c.ta,
              .transpose_b = c.tb,
              .alpha = c.alpha,
              .beta = c.beta,
              .column_bias = bias,
              .activation = c.activation});

  const double eps = std::ldexp(1.0, -23);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < c.m; ++i)
    for (std::size_t j = 0; j < c.n; ++j) {
      double sum = 0, magnitude = 0;
      for (std::size_t p = 0; p < c.k; ++p) {
        const double x = c.ta ? a.view(p, i) : a.view(i, p);
        const double y = c.tb ? b.view(j, p) : b.view(p, j);
        sum += x * y;
        magnitude += std::abs(x * y);
      }
      double pre = c.alpha * sum;
      double scale = std::abs(c.alpha) * magnitude;
      if (c.beta != 0.0f) {
        pre += c.beta * static_cast<double>(c0(i, j));
        scale += std::abs(c.beta * c0(i, j));
      }
      if (c.bias) {
        pre += bias[j];
        scale += std::abs(bias[j]);
      }
      const double expected = reference_activation(pre, c.activation);
      const double tolerance = (static_cast<double>(c.k) + 4) * eps * scale + 1e-30;
      const double got = out.view(i, j);
      if (!(std::abs(got - expected) <= tolerance) && bad++ < 3)
        BOOST_ERROR(describe(c) << ": C(" << i << "," << j << ") = " << got << ", expected " << expected << " within "
                                << tolerance);
    }
  BOOST_TEST(bad == 0u, describe(c) << ": " << bad << " elements outside the bound");
  // Padding between rows of C is never written.
  for (std::size_t i = 0; i < c.m; ++i)
    for (std::size_t j = c.n; j < c.n + c.pad; ++j)
      if (std::memcmp(&out.storage(i, j), &storage_before(i, j), sizeof(float)) != 0)
        BOOST_ERROR(describe(c) << ": padding of C written at (" << i << "," << j << ")");
}

const std::size_t kSizes[] = {1, 7, 15, 17, 63, 65, 127, 129, 500, 784};

}  // namespace

BOOST_AUTO_TEST_CASE(every_target_matches_the_reference_on_odd_shapes) {
  std::mt19937 pick(20261123);
  std::vector<Case> cases;
  // Every size appears as M, K and N; products are capped to keep the reference cheap.
  for (std::size_t m : kSizes)
    for (std::size_t k : kSizes)
      for (std::size_t n : kSizes) {
        if (m * k * n > 600'000) continue;
        if (pick() % 6 != 0) continue;
        cases.push_back({m, k, n, bool(pick() % 2), bool(pick() % 2)});
      }
  BOOST_TEST_REQUIRE(cases.size() > 30u);
  const auto targets = simd::available_targets();
  BOOST_TEST_REQUIRE(!targets.empty());
  for (const auto& target : targets) {
    simd::ScopedTarget pin(target);
    BOOST_TEST_MESSAGE("target " << target.name << ": " << cases.size() << " shapes");
    std::uint32_t seed = 1;
    for (const Case& c : cases) check_case(c, seed++);
  }
}

BOOST_AUTO_TEST_CASE(all_transposes_alpha_beta_and_row_strides) {
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    std::uint32_t seed = 100;
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      check_case({65, 129, 127, ta, tb, 0.75f, -0.5f, 3}, seed++);
      check_case({17, 500, 63, ta, tb, -1.25f, 1.0f, 1}, seed++);
      check_case({1, 15, 1, ta, tb, 2.0f, 0.0f, 5}, seed++);
      check_case({7, 1, 17, ta, tb, 1.0f, 0.5f, 0}, seed++);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_rbm_and_w1_shapes_on_the_best_target) {
  std::uint32_t seed = 200;
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    check_case({128, 784, 500, ta, tb}, seed++);
    check_case({20, 784, 500, ta, tb}, seed++);
    check_case({784, 20, 500, ta, tb}, seed++);
  }
  // K beyond one pass: the kernel walks K in slices and adds to C between them.
  check_case({33, 1500, 70, false, false, 0.5f, 2.0f, 2}, seed++);
  check_case({33, 1500, 70, true, true, 1.0f, 0.0f, 0}, seed++);
}

BOOST_AUTO_TEST_CASE(fused_bias_and_activation_epilogues) {
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    std::uint32_t seed = 300;
    for (auto act :
         {simd::Activation::kIdentity, simd::Activation::kSigmoid, simd::Activation::kTanh, simd::Activation::kRelu}) {
      Case c{20, 784, 500, false, false, 1.0f, 0.0f, 0, true, act};
      check_case(c, seed++);
      c = {129, 33, 65, true, true, 0.5f, 0.25f, 2, true, act};
      check_case(c, seed++);
      c = {7, 1500, 17, false, true, 1.0f, 1.0f, 1, true, act};  // epilogue after the last K pass only
      check_case(c, seed++);
    }
  }
}

BOOST_AUTO_TEST_CASE(empty_k_scales_c_by_beta) {
  Matrix<float> a(3, 0), b(0, 4), c(3, 4, 2.0f);
  simd::gemm(a, b, c, {.beta = 0.5f});
  for (float v : c.values()) BOOST_TEST(v == 1.0f);
}

// 2100 rows take the split by rows, B packed, on 2 threads (1024 rows a thread or more), and the
// split by columns on 3 and 8.
BOOST_AUTO_TEST_CASE(results_are_bit_identical_for_any_thread_count) {
  std::mt19937 rng(7);
  for (const Case& c :
       {Case{128, 784, 500, false, false}, Case{20, 784, 500, false, true}, Case{784, 20, 500, true, false},
        Case{300, 1100, 90, true, true}, Case{2100, 1100, 90, false, true}}) {
    Operand a(c.ta ? c.k : c.m, c.ta ? c.m : c.k, 0, rng);
    Operand b(c.tb ? c.n : c.k, c.tb ? c.k : c.n, 0, rng);
    std::vector<Matrix<float>> results;
    for (int threads : {1, 2, 3, 8}) {
      gibbs::set_thread_count(threads);
      Matrix<float> out(c.m, c.n);
      simd::gemm(a.view, b.view, out,
                 {.transpose_a = c.ta, .transpose_b = c.tb, .activation = simd::Activation::kSigmoid});
      results.push_back(std::move(out));
    }
    gibbs::set_thread_count(0);
    for (std::size_t r = 1; r < results.size(); ++r)
      BOOST_TEST(std::memcmp(results[0].data(), results[r].data(), results[0].size() * sizeof(float)) == 0,
                 describe(c) << " differs between thread counts");
  }
}

BOOST_AUTO_TEST_CASE(transpose_copies_every_element_on_every_target_and_thread_count) {
  std::mt19937 rng(11);
  // Ragged edges of the 4 × 4 blocks, strided views, and shapes past the parallel threshold.
  const std::size_t shapes[][2] = {{1, 1}, {1, 9}, {9, 1}, {4, 4}, {7, 17}, {65, 129}, {300, 301}, {784, 500}};
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (const auto& [rows, cols] : shapes) {
      const Operand in(rows, cols, 3, rng);
      for (int threads : {1, 2, 3}) {
        gibbs::set_thread_count(threads);
        Operand out(cols, rows, 2, rng, -7.0f);
        simd::transpose(in.view, out.view);
        std::size_t bad = 0;
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t c = 0; c < cols; ++c) bad += out.view(c, r) != in.view(r, c);
        for (std::size_t c = 0; c < cols; ++c)
          for (std::size_t p = rows; p < rows + 2; ++p) bad += out.storage(c, p) != -7.0f;
        BOOST_TEST(bad == 0u, target.name << ' ' << rows << "×" << cols << " on " << threads << " threads");
      }
    }
  }
  gibbs::set_thread_count(0);
  Matrix<float> in(3, 4), out(3, 4);
  try {
    simd::transpose(in, out);
    BOOST_FAIL("no exception");
  } catch (const gibbs::ShapeError& e) {
    BOOST_TEST(std::string(e.what()) == "transpose: the output: shape [3, 4], expected [4, 3]");
  }
}

// With more than 48 rows the product by Bᵀ packs Bᵀ into the same panels that B transposed
// beforehand is read from in place, so the sums run in the same order (gibbs.sampler's Rbm
// relies on it). Fewer rows take the dot-product path, which check_case covers.
BOOST_AUTO_TEST_CASE(a_product_by_b_transposed_beforehand_has_the_bits_of_transpose_b) {
  std::mt19937 rng(12);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (const Case& c :
         {Case{49, 500, 784, false, true}, Case{100, 33, 70, false, true, 0.5f}, Case{128, 1100, 90, true, true}}) {
      Operand a(c.ta ? c.k : c.m, c.ta ? c.m : c.k, 1, rng);
      Operand b(c.n, c.k, 2, rng);
      Matrix<float> b_transposed(c.k, c.n), by_transpose_b(c.m, c.n), by_copy(c.m, c.n);
      simd::transpose(b.view, b_transposed);
      const std::vector<float> bias(c.n, 0.25f);
      simd::GemmOptions options{.transpose_a = c.ta,
                                .transpose_b = true,
                                .alpha = c.alpha,
                                .column_bias = bias,
                                .activation = simd::Activation::kSigmoid};
      simd::gemm(a.view, b.view, by_transpose_b, options);
      options.transpose_b = false;
      simd::gemm(a.view, b_transposed, by_copy, options);
      BOOST_TEST(std::memcmp(by_copy.data(), by_transpose_b.data(), by_copy.size() * sizeof(float)) == 0,
                 describe(c) << ": B transposed beforehand differs");
    }
  }
}

// B whose rows are a multiple of 8 KiB apart is packed, to keep its rows from aliasing in the
// caches; one row longer, the same values are read in place where a panel spans several lines
// (AVX-512; AVX2 packs both). Both sum over K in the same order.
BOOST_AUTO_TEST_CASE(b_packed_against_aliasing_has_the_bits_of_b_read_in_place) {
  std::mt19937 rng(14);
  const std::size_t m = 100, k = 300, n = 1990;
  const Operand a(m, k, 0, rng);
  Operand aliasing(k, n, 2048 - n, rng), in_place(k, n, 2049 - n, rng);
  for (std::size_t p = 0; p < k; ++p)
    for (std::size_t j = 0; j < n; ++j) in_place.view(p, j) = aliasing.view(p, j);
  const std::vector<float> bias(n, -0.5f);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (int threads : {1, 2, 3}) {
      gibbs::set_thread_count(threads);
      Matrix<float> packed(m, n, 0.5f), direct(m, n, 0.5f);
      const simd::GemmOptions options{
          .alpha = 0.75f, .beta = 2.0f, .column_bias = bias, .activation = simd::Activation::kTanh};
      simd::gemm(a.view, aliasing.view, packed, options);
      simd::gemm(a.view, in_place.view, direct, options);
      BOOST_TEST(std::memcmp(packed.data(), direct.data(), packed.size() * sizeof(float)) == 0,
                 target.name << " on " << threads << " threads");
    }
  }
  gibbs::set_thread_count(0);
}

// A·Bᵀ with few rows and many columns is computed as (B·Aᵀ)ᵀ, with the multiply-adds, in the
// same order, of the product by B transposed beforehand, and then the same bias and activation,
// on any thread count; a hook sees every element once, final. With 48 rows or fewer a plain
// product has the bits of (B·Aᵀ)ᵀ asked for as such, not the dot products'.
BOOST_AUTO_TEST_CASE(a_product_computed_transposed_has_the_bits_of_the_direct_one) {
  std::mt19937 rng(13);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (const Case& c : {Case{64, 400, 200, false, true}, Case{64, 200, 128, false, true, 0.5f},
                          Case{49, 784, 128, false, true}, Case{128, 1100, 300, false, true}}) {
      Operand a(c.m, c.k, 1, rng);
      const Operand b(c.n, c.k, 2, rng);
      for (float& v : a.storage.values()) v = v < -0.5f ? 0.0f : v;  // zeros, as a relu leaves them
      Matrix<float> b_transposed(c.k, c.n);
      simd::transpose(b.view, b_transposed);
      std::vector<float> bias(c.n);
      for (float& v : bias) v = std::uniform_real_distribution<float>(-1, 1)(rng);
      for (const auto activation : {simd::Activation::kIdentity, simd::Activation::kSigmoid, simd::Activation::kRelu})
        for (int threads : {1, 2, 3}) {
          gibbs::set_thread_count(threads);
          const bool epilogue = activation != simd::Activation::kIdentity;
          Matrix<float> transposed(c.m, c.n), direct(c.m, c.n), seen(c.m, c.n, -7.0f), visits(c.m, c.n, 0.0f);
          simd::GemmOptions options{.transpose_b = true,
                                    .alpha = c.alpha,
                                    .column_bias = epilogue ? std::span<const float>(bias) : std::span<const float>(),
                                    .activation = activation};
          if (activation == simd::Activation::kRelu)
            options.then = [&](std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1) {
              for (std::size_t i = r0; i < r1; ++i)
                for (std::size_t j = c0; j < c1; ++j) seen(i, j) = transposed(i, j), visits(i, j) += 1;
            };
          simd::gemm(a.view, b.view, transposed, options);
          options.transpose_b = false;
          options.then = {};
          simd::gemm(a.view, b_transposed, direct, options);
          std::size_t differ = 0;
          for (std::size_t i = 0; i < c.m * c.n; ++i)
            differ += std::memcmp(transposed.data() + i, direct.data() + i, sizeof(float)) != 0;
          BOOST_TEST(differ == 0u, describe(c) << " activation " << simd::to_string(activation) << " on " << threads
                                               << " threads: " << differ << " elements differ");
          if (activation == simd::Activation::kRelu) {
            BOOST_TEST(std::memcmp(seen.data(), transposed.data(), seen.size() * sizeof(float)) == 0);
            BOOST_TEST(std::ranges::all_of(visits.values(), [](float v) { return v == 1.0f; }));
          }
        }
    }
    const Operand a(32, 784, 0, rng), b(128, 784, 0, rng);
    Matrix<float> direct(32, 128), bt_at(128, 32), by_hand(32, 128);
    simd::gemm(a.view, b.view, direct, {.transpose_b = true});
    simd::gemm(b.view, a.view, bt_at, {.transpose_b = true});
    simd::transpose(bt_at, by_hand);
    BOOST_TEST(std::memcmp(direct.data(), by_hand.data(), direct.size() * sizeof(float)) == 0, target.name);
  }
  gibbs::set_thread_count(0);
}

// Whether the current target has the binary kernel: masked loads and stores that cannot fault.
bool target_has_binary_kernel() {
  const std::string name = simd::current_target().name;
  return name != "SSE4" && name != "EMU128" && name != "SCALAR";
}

// A of zeros and ones, a share `ones` of them (A of rows × k inside rows × (k + 1)).
Operand binary_operand(std::size_t rows, std::size_t k, double ones, std::mt19937& rng) {
  Operand a(rows, k, 1, rng);
  std::bernoulli_distribution one(ones);
  for (float& v : a.storage.values()) v = one(rng) ? 1.0f : 0.0f;
  return a;
}

struct BinaryCase {
  std::size_t m, k, n;
  bool tb;
  std::size_t b_stride;  // of op(B)'s storage; 0: packed tight
};

// A product by an A of zeros and ones, flagged a_binary, has the bits of the dense product
// (same_bits_per_row: no dot products) on every target and thread count, with any epilogue: the
// rows of B, in place (rows 528 floats apart), in L1-aliasing rows (512 apart: packed), or
// packed from Bᵀ. Where the binary kernel runs, it skips the zeros: an infinity in a row of B
// that A never selects stays out of C, where the dense kernel's 0·∞ turns all of C to NaN. That
// pins which kernel ran: binary for a share of ones up to binary_bounds, dense beyond, for K
// beyond one pass, and for a value other than 0 and 1; A·Bᵀ of fewer than 32 rows is computed as
// (B·Aᵀ)ᵀ.
BOOST_AUTO_TEST_CASE(a_binary_product_has_the_bits_of_the_dense_one) {
  std::mt19937 rng(15);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    const bool native_masks = target_has_binary_kernel();
    for (const BinaryCase& c :
         {BinaryCase{100, 784, 500, false, 512}, BinaryCase{100, 784, 500, false, 528},
          BinaryCase{10, 500, 784, false, 0}, BinaryCase{70, 37, 45, false, 0}, BinaryCase{128, 500, 300, true, 0},
          BinaryCase{20, 500, 784, true, 0}, BinaryCase{40, 1100, 60, false, 0}})
      for (const double ones : {0.07, 0.3, 0.55, 0.9}) {
        const std::size_t b_rows = c.tb ? c.n : c.k, b_cols = c.tb ? c.k : c.n;
        Operand a = binary_operand(c.m, c.k, ones, rng);
        Operand b(b_rows, b_cols, (c.b_stride ? c.b_stride : b_cols) - b_cols, rng);
        std::vector<float> bias(c.n);
        for (float& v : bias) v = std::uniform_real_distribution<float>(-1, 1)(rng);
        for (const auto activation : {simd::Activation::kIdentity, simd::Activation::kSigmoid, simd::Activation::kRelu})
          for (int threads : {1, 2, 3}) {
            gibbs::set_thread_count(threads);
            const float beta = activation == simd::Activation::kIdentity ? 2.0f : 0.0f;
            Matrix<float> binary(c.m, c.n, 0.25f), dense(c.m, c.n, 0.25f), seen(c.m, c.n, -7.0f);
            simd::GemmOptions options{.transpose_b = c.tb,
                                      .alpha = activation == simd::Activation::kIdentity ? 0.5f : 1.0f,
                                      .beta = beta,
                                      .column_bias = bias,
                                      .activation = activation,
                                      .same_bits_per_row = true};
            simd::gemm(a.view, b.view, dense, options);
            options.a_binary = true;
            options.then = [&](std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1) {
              for (std::size_t i = r0; i < r1; ++i)
                for (std::size_t j = c0; j < c1; ++j) seen(i, j) = binary(i, j);
            };
            simd::gemm(a.view, b.view, binary, options);
            std::size_t differ = 0;
            for (std::size_t i = 0; i < c.m * c.n; ++i)
              differ += std::memcmp(binary.data() + i, dense.data() + i, sizeof(float)) != 0;
            BOOST_TEST(differ == 0u, target.name << " m=" << c.m << " k=" << c.k << " n=" << c.n << " tb=" << c.tb
                                                 << " ones=" << ones << " " << simd::to_string(activation) << " on "
                                                 << threads << " threads: " << differ << " elements differ");
            BOOST_TEST(std::memcmp(seen.data(), binary.data(), seen.size() * sizeof(float)) == 0);
          }
        // Which kernel ran: column 3 of A all zeros, row 3 of op(B) infinite.
        for (std::size_t i = 0; i < c.m; ++i) a.view(i, 3) = 0.0f;
        for (std::size_t j = 0; j < c.n; ++j) (c.tb ? b.view(j, 3) : b.view(3, j)) = INFINITY;
        // The kernel is chosen block by block (the thread count cuts the blocks), each by its own
        // share of ones: A's share must be clear of the bound for one kernel to take every block.
        std::size_t listed = 0;
        for (std::size_t i = 0; i < c.m; ++i)
          for (std::size_t p = 0; p < c.k; ++p) listed += a.view(i, p) == 1.0f;
        const double share = static_cast<double>(listed) / static_cast<double>(c.m * c.k);
        const bool binary_possible = native_masks && c.k <= 1024 && (!c.tb || c.m >= 32);
        const simd::BinaryBounds bounds = simd::binary_bounds();
        const bool binary_kernel = binary_possible && share < std::min(bounds.in_place, bounds.packed) - 0.1;
        const bool dense_kernel = !binary_possible || share > std::max(bounds.in_place, bounds.packed) + 0.1;
        for (int threads : {1, 3}) {
          gibbs::set_thread_count(threads);
          Matrix<float> out(c.m, c.n);
          simd::gemm(a.view, b.view, out, {.transpose_b = c.tb, .a_binary = true});
          std::size_t finite_rows = 0, mixed_rows = 0;
          for (std::size_t i = 0; i < c.m; ++i) {
            const auto finite = std::ranges::count_if(out.row(i), [](float v) { return std::isfinite(v); });
            finite_rows += finite == static_cast<std::ptrdiff_t>(c.n);
            mixed_rows += finite != 0 && finite != static_cast<std::ptrdiff_t>(c.n);
          }
          const std::string where = target.name + " m=" + std::to_string(c.m) + " k=" + std::to_string(c.k) +
                                    " tb=" + std::to_string(c.tb) + " share of ones " + std::to_string(share) + " on " +
                                    std::to_string(threads) + " threads";
          BOOST_TEST(mixed_rows == 0u, where);
          if (binary_kernel) BOOST_TEST(finite_rows == c.m, where);
          if (dense_kernel) BOOST_TEST(finite_rows == 0u, where);
        }
        if (ones == 0.3) {  // one value other than 0 and 1: dense, and the bits of the dense product
          a.view(c.m - 1, 5) = 0.5f;
          Matrix<float> out(c.m, c.n), dense(c.m, c.n);
          for (std::size_t j = 0; j < c.n; ++j) (c.tb ? b.view(j, 3) : b.view(3, j)) = 1.0f;
          simd::gemm(a.view, b.view, dense, {.transpose_b = c.tb, .same_bits_per_row = true});
          simd::gemm(a.view, b.view, out, {.transpose_b = c.tb, .a_binary = true});
          BOOST_TEST(std::memcmp(out.data(), dense.data(), out.size() * sizeof(float)) == 0, target.name);
        }
      }
    // A is listed 256 rows at a time, and the dense kernel takes over from the first group the
    // binary one does not take: here the third, for a 0.5 in row 530 (a share of ones below every
    // CPU's binary_bounds).
    Operand a = binary_operand(600, 100, 0.1, rng);
    Operand b(100, 70, 0, rng);
    a.view(530, 7) = 0.5f;
    for (std::size_t i = 0; i < 600; ++i) a.view(i, 3) = 0.0f;
    for (int threads : {1, 2, 3}) {
      gibbs::set_thread_count(threads);
      Matrix<float> dense(600, 70), binary(600, 70);
      simd::gemm(a.view, b.view, dense, {.same_bits_per_row = true});
      simd::gemm(a.view, b.view, binary, {.a_binary = true});
      BOOST_TEST(std::memcmp(dense.data(), binary.data(), dense.size() * sizeof(float)) == 0,
                 target.name << " on " << threads << " threads");
    }
    gibbs::set_thread_count(1);
    for (std::size_t j = 0; j < 70; ++j) b.view(3, j) = INFINITY;
    Matrix<float> out(600, 70);
    simd::gemm(a.view, b.view, out, {.a_binary = true});
    for (const std::size_t row : {0u, 511u, 512u, 599u})
      BOOST_TEST(std::isfinite(out(row, 0)) == (native_masks && row < 512), target.name << " row " << row);
  }
  gibbs::set_thread_count(0);
}

// The shares of ones up to which the binary kernel runs are measured once per target and kept:
// within their clamp where the target has the binary kernel, 0 where it has none.
BOOST_AUTO_TEST_CASE(binary_bounds_are_measured_once_per_target) {
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    const std::string name = simd::current_target().name;
    const simd::BinaryBounds bounds = simd::binary_bounds();
    for (const double bound : {bounds.in_place, bounds.packed}) {
      if (target_has_binary_kernel()) {
        BOOST_TEST((bound >= 0.15 && bound <= 0.75), name << ": " << bound);
      } else {
        BOOST_TEST(bound == 0.0, name);
      }
    }
    BOOST_TEST(simd::binary_bounds().in_place == bounds.in_place, name);
    BOOST_TEST(simd::binary_bounds().packed == bounds.packed, name);
  }
}

// With same_bits_per_row, A·Bᵀ computed in blocks of rows, each its own call, has the bits of
// the whole product: 96 rows take the packed kernel; 48 and 24 would take the dot products (24,
// against 40 columns, computed transposed, in the flipped call).
BOOST_AUTO_TEST_CASE(rows_cut_into_calls_keep_their_bits_with_same_bits_per_row) {
  std::mt19937 rng(14);
  for (const auto& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (const std::size_t n : {24u, 40u}) {
      const Operand a(96, 300, 1, rng), b(n, 300, 2, rng);
      Matrix<float> whole(96, n), in_blocks(96, n);
      simd::gemm(a.view, b.view, whole, {.transpose_b = true, .same_bits_per_row = true});
      for (const std::size_t rows : {48u, 24u}) {
        for (std::size_t r = 0; r < 96; r += rows)
          simd::gemm(a.view.block(r, 0, rows, 300), b.view, in_blocks.view().block(r, 0, rows, n),
                     {.transpose_b = true, .same_bits_per_row = true});
        BOOST_TEST(std::memcmp(whole.data(), in_blocks.data(), whole.size() * sizeof(float)) == 0,
                   target.name << ": n=" << n << " in blocks of " << rows << " rows");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(mismatched_shapes_name_both_shapes) {
  Matrix<float> a(3, 4), b(5, 6), c(3, 6);
  try {
    simd::gemm(a, b, c);
    BOOST_FAIL("no exception");
  } catch (const gibbs::ShapeError& e) {
    BOOST_TEST(std::string(e.what()) == "gemm: op(B): shape [5, 6], expected [4, 6]");
  }
  Matrix<float> b2(4, 6), c2(3, 5);
  BOOST_CHECK_THROW(simd::gemm(a, b2, c2), gibbs::ShapeError);
  std::vector<float> bias(5);
  BOOST_CHECK_THROW(simd::gemm(a, b2, c, {.column_bias = bias}), gibbs::ShapeError);
}
