// gibbs::random against Random123's Philox4x32-10 bit for bit, on every compiled target;
// statistics, thread-count independence, offsets, strided views and errors.
#define BOOST_TEST_MODULE random
#include <boost/test/unit_test.hpp>

#include <Random123/philox.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>
import gibbs.core;
import gibbs.simd;
import gibbs.random;

using gibbs::ConstView;
using gibbs::Matrix;
using gibbs::MatrixView;
namespace rnd = gibbs::random;
namespace simd = gibbs::simd;

namespace {

std::uint32_t lo32(std::uint64_t x) { return static_cast<std::uint32_t>(x); }
std::uint32_t hi32(std::uint64_t x) { return static_cast<std::uint32_t>(x >> 32); }

// Random123's outputs at positions [offset, offset + n) under the documented mapping.
std::vector<std::uint32_t> reference_bits(rnd::Stream s, std::uint64_t offset, std::size_t n) {
  const r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key = {{lo32(s.seed), hi32(s.seed)}};
  std::vector<std::uint32_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t block = (offset + i) / 4;
    const r123::Philox4x32::ctr_type ctr = {{lo32(block), hi32(block), lo32(s.id), hi32(s.id)}};
    out[i] = philox(ctr, key)[(offset + i) % 4];
  }
  return out;
}

std::vector<std::uint32_t> draw_bits(rnd::Stream s, std::uint64_t offset, std::size_t n) {
  std::vector<std::uint32_t> out(n);
  rnd::bits(s, offset, out);
  return out;
}

std::vector<float> draw_uniform(rnd::Stream s, std::uint64_t offset, std::size_t n) {
  std::vector<float> out(n);
  rnd::uniform(s, offset, out);
  return out;
}

std::vector<float> draw_normal(rnd::Stream s, std::uint64_t offset, std::size_t n, float mean = 0, float sd = 1) {
  std::vector<float> out(n);
  rnd::normal(s, offset, out, mean, sd);
  return out;
}

bool same_bits(std::span<const float> a, std::span<const float> b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::uint32_t>(a[i]) != std::bit_cast<std::uint32_t>(b[i])) return false;
  return true;
}

bool same_bits(const Matrix<float>& a, const Matrix<float>& b) {
  return a.shape() == b.shape() && same_bits(a.values(), b.values());
}

// (seed, id, offset, count) cases: zero and all-ones words, odd offsets, blocks whose
// low counter word carries into the high one (2³² blocks), huge block indices.
struct Case {
  rnd::Stream stream;
  std::uint64_t offset;
  std::size_t count;
};

std::vector<Case> known_answer_cases() {
  constexpr std::uint64_t kCarry = std::uint64_t{4} << 32;  // position of block 2³²
  std::vector<Case> cases = {
      {{0, 0}, 0, 1000},
      {{~std::uint64_t{0}, ~std::uint64_t{0}}, 4 * ((std::uint64_t{1} << 62) - 300), 1200},
      {{0x243f6a8885a308d3, 0x13198a2e03707344}, 3, 997},
      {{1, 1}, kCarry - 4 * 40 - 2, 331},  // crosses block 2³² mid-request
      {{42, 7}, kCarry - 1, 5},
      {{42, std::uint64_t{1} << 32}, 3 * kCarry - 129, 513},
  };
  std::mt19937_64 rng(20240611);
  for (int k = 0; k < 40; ++k) {
    const rnd::Stream s{rng(), k % 3 == 0 ? rng() : rng() % 16};
    const std::uint64_t offset = k % 2 == 0 ? rng() % 100000 : rng() >> 3;
    cases.push_back({s, offset, static_cast<std::size_t>(1 + rng() % 700)});
  }
  return cases;
}

}  // namespace

BOOST_AUTO_TEST_CASE(random123_reproduces_published_answers) {
  // Random123's kat_vectors for philox4x32_10; pins the reference used by the tests below.
  const r123::Philox4x32 philox;
  using C = r123::Philox4x32::ctr_type;
  using K = r123::Philox4x32::key_type;
  const auto check = [&](C ctr, K key, std::array<std::uint32_t, 4> expected) {
    const C out = philox(ctr, key);
    for (int j = 0; j < 4; ++j) BOOST_TEST(out[j] == expected[j]);
  };
  check({{0, 0, 0, 0}}, {{0, 0}}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  check({{~0u, ~0u, ~0u, ~0u}}, {{~0u, ~0u}}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  check({{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, {{0xa4093822, 0x299f31d0}},
        {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

BOOST_AUTO_TEST_CASE(bits_match_random123_on_every_target) {
  const auto cases = known_answer_cases();
  for (const simd::Target& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    for (const Case& c : cases) {
      const auto expected = reference_bits(c.stream, c.offset, c.count);
      const auto actual = draw_bits(c.stream, c.offset, c.count);
      std::size_t bad = 0;
      for (std::size_t i = 0; i < c.count; ++i) bad += actual[i] != expected[i];
      BOOST_TEST(bad == 0u, target.name << ": seed " << c.stream.seed << " id " << c.stream.id << " offset " << c.offset
                                        << " count " << c.count << ": " << bad << " outputs differ");
    }
  }
}

BOOST_AUTO_TEST_CASE(uniform_bernoulli_and_normal_follow_the_documented_mapping_on_every_target) {
  const rnd::Stream s{0x9e3779b97f4a7c15, 3};
  const std::uint64_t offset = 4 * ((std::uint64_t{1} << 32) - 20) + 1;  // odd, crosses a carry
  const std::size_t n = 2001;
  const auto raw = reference_bits(s, offset - 1, n + 2);  // one extra each side for the pairs
  std::vector<float> probability(n);
  for (std::size_t i = 0; i < n; ++i) probability[i] = static_cast<float>(i % 101) / 100.0f;
  for (const simd::Target& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    const auto u = draw_uniform(s, offset, n);
    const auto z = draw_normal(s, offset, n, 0.5f, 2.0f);
    Matrix<float> b(1, n);
    rnd::bernoulli(s, offset, ConstView<float>(probability.data(), 1, n), b);
    std::size_t bad_u = 0, bad_b = 0, bad_z = 0;
    for (std::size_t i = 0; i < n; ++i) {
      bad_u += u[i] != std::ldexp(static_cast<float>(raw[i + 1] >> 8), -24);
      bad_b += b(0, i) != (u[i] < probability[i] ? 1.0f : 0.0f);
      // Position offset + i is even (cos) when i is odd; its pair starts at raw index i + 1 or i.
      const std::size_t first = (i % 2 == 1) ? i + 1 : i;
      const double u1 = std::ldexp((raw[first] >> 8) + 1.0, -24);
      const double theta = 2 * std::numbers::pi * std::ldexp(static_cast<double>(raw[first + 1] >> 8), -24);
      const double r = std::sqrt(-2 * std::log(u1));
      const double expected = 0.5 + 2.0 * r * (i % 2 == 1 ? std::cos(theta) : std::sin(theta));
      bad_z += !(std::abs(z[i] - expected) <= 1e-5 * (1 + std::abs(expected)));
    }
    BOOST_TEST(bad_u == 0u, target.name << ": " << bad_u << " uniforms differ from (x >> 8) 2^-24");
    BOOST_TEST(bad_b == 0u, target.name << ": " << bad_b << " Bernoulli draws differ from u < p");
    BOOST_TEST(bad_z == 0u, target.name << ": " << bad_z << " normals differ from Box-Muller in double");
  }
}

BOOST_AUTO_TEST_CASE(uniform_statistics) {
  // 2²⁰ draws; every bound is 5 standard errors of its estimate.
  const std::size_t n = std::size_t{1} << 20;
  for (const simd::Target& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    const auto u = draw_uniform({2024, 1}, 12345, n);
    double sum = 0, sum2 = 0;
    std::size_t outside = 0;
    for (float x : u) {
      outside += !(x >= 0.0f && x < 1.0f);
      sum += x;
    }
    const double mean = sum / n;
    for (float x : u) sum2 += (x - mean) * (x - mean);
    const double variance = sum2 / n;
    BOOST_TEST(outside == 0u, target.name);
    BOOST_TEST(std::abs(mean - 0.5) <= 5 * std::sqrt(1.0 / 12 / n), target.name << " mean " << mean);
    BOOST_TEST(std::abs(variance - 1.0 / 12) <= 5 * std::sqrt((1.0 / 80 - 1.0 / 144) / n),
               target.name << " variance " << variance);
  }
}

BOOST_AUTO_TEST_CASE(normal_statistics) {
  const std::size_t n = std::size_t{1} << 20;
  for (const simd::Target& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    const auto z = draw_normal({7, 0}, 3, n);
    double sum = 0, sum2 = 0, sum4 = 0;
    std::size_t not_finite = 0;
    for (float x : z) {
      not_finite += !std::isfinite(x);
      sum += x;
      sum2 += double(x) * x;
      sum4 += double(x) * x * x * x;
    }
    BOOST_TEST(not_finite == 0u, target.name);
    // Standard errors: mean √(1/n), E z² √(2/n), E z⁴ √((105 − 9)/n).
    BOOST_TEST(std::abs(sum / n) <= 5 / std::sqrt(double(n)), target.name << " mean " << sum / n);
    BOOST_TEST(std::abs(sum2 / n - 1) <= 5 * std::sqrt(2.0 / n), target.name << " E z^2 " << sum2 / n);
    BOOST_TEST(std::abs(sum4 / n - 3) <= 5 * std::sqrt(96.0 / n), target.name << " E z^4 " << sum4 / n);
    // Odd and even positions (cos and sin halves of each pair) are uncorrelated.
    double cross = 0;
    for (std::size_t i = 0; i + 1 < n; i += 2) cross += double(z[i]) * z[i + 1];
    BOOST_TEST(std::abs(cross / (n / 2)) <= 5 / std::sqrt(n / 2.0), target.name << " E z0 z1 " << cross / (n / 2));
  }
  // mean and stddev shift and scale.
  const auto y = draw_normal({7, 1}, 0, 1 << 18, 3.0f, 0.25f);
  double sum = 0, sum2 = 0;
  for (float x : y) sum += x, sum2 += double(x) * x;
  const double mean = sum / y.size(), variance = sum2 / y.size() - mean * mean;
  BOOST_TEST(std::abs(mean - 3) <= 5 * 0.25 / std::sqrt(double(y.size())));
  BOOST_TEST(std::abs(variance - 0.0625) <= 5 * 0.0625 * std::sqrt(2.0 / y.size()));
}

BOOST_AUTO_TEST_CASE(bernoulli_frequencies) {
  const std::array<float, 7> ps = {0.0f, 0.001f, 0.1f, 0.5f, 0.77f, 0.999f, 1.0f};
  const std::size_t per = 1 << 17;
  Matrix<float> p(ps.size(), per);
  for (std::size_t r = 0; r < ps.size(); ++r)
    for (std::size_t c = 0; c < per; ++c) p(r, c) = ps[r];
  for (const simd::Target& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    Matrix<float> out(ps.size(), per, -1.0f);
    rnd::bernoulli({99, 5}, 17, p, out);
    for (std::size_t r = 0; r < ps.size(); ++r) {
      double ones = 0;
      std::size_t other = 0;
      for (float x : out.row(r)) {
        ones += x;
        other += x != 0.0f && x != 1.0f;
      }
      const double freq = ones / per, sd = std::sqrt(ps[r] * (1.0 - ps[r]) / per);
      BOOST_TEST(other == 0u);
      BOOST_TEST(std::abs(freq - ps[r]) <= 5 * sd, target.name << " p " << ps[r] << " frequency " << freq);
    }
  }
}

BOOST_AUTO_TEST_CASE(results_do_not_depend_on_the_thread_count) {
  const rnd::Stream s{555, 2};
  const std::size_t n = 300007;  // many chunks, odd length
  std::vector<std::vector<float>> u, z;
  std::vector<std::vector<std::uint32_t>> raw;
  std::vector<Matrix<float>> um, zm, bm;
  Matrix<float> p(701, 513);
  for (std::size_t i = 0; i < p.size(); ++i) p.data()[i] = static_cast<float>(i % 1000) / 1000.0f;
  Matrix<float> wide(701, 520);  // a strided output, so row chunks are used too
  for (int threads : {1, 2, 8}) {
    gibbs::set_thread_count(threads);
    u.push_back(draw_uniform(s, 3, n));
    z.push_back(draw_normal(s, 5, n));
    raw.push_back(draw_bits(s, 1, n));
    um.emplace_back(701, 513);
    rnd::uniform(s, 9, um.back());
    zm.emplace_back(701, 513);
    rnd::normal(s, 9, MatrixView<float>(wide.data(), 701, 513, 520));
    zm.back() = Matrix<float>(ConstView<float>(wide.data(), 701, 513, 520));
    bm.emplace_back(701, 513);
    rnd::bernoulli(s, 11, p, bm.back());
  }
  gibbs::set_thread_count(0);
  for (std::size_t k = 1; k < u.size(); ++k) {
    BOOST_TEST(same_bits(u[0], u[k]));
    BOOST_TEST(same_bits(z[0], z[k]));
    BOOST_TEST((raw[0] == raw[k]));
    BOOST_TEST(same_bits(um[0], um[k]));
    BOOST_TEST(same_bits(zm[0], zm[k]));
    BOOST_TEST(same_bits(bm[0], bm[k]));
  }
}

BOOST_AUTO_TEST_CASE(offsets_compose) {
  const rnd::Stream s{31337, 9};
  const std::size_t n = 5000;
  for (const simd::Target& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    const auto u = draw_uniform(s, 100, n);
    const auto z = draw_normal(s, 100, n);
    const auto raw = draw_bits(s, 100, n);
    for (std::size_t k : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4}, std::size_t{77},
                          std::size_t{128}, std::size_t{4097}}) {
      std::vector<float> u2(n), z2(n);
      std::vector<std::uint32_t> raw2(n);
      rnd::uniform(s, 100, std::span(u2).first(k));
      rnd::uniform(s, 100 + k, std::span(u2).subspan(k));
      rnd::normal(s, 100, std::span(z2).first(k));
      rnd::normal(s, 100 + k, std::span(z2).subspan(k));
      rnd::bits(s, 100, std::span(raw2).first(k));
      rnd::bits(s, 100 + k, std::span(raw2).subspan(k));
      BOOST_TEST(same_bits(u, u2), target.name << " split at " << k);
      BOOST_TEST(same_bits(z, z2), target.name << " split at " << k);
      BOOST_TEST((raw == raw2), target.name << " split at " << k);
    }
  }
}

BOOST_AUTO_TEST_CASE(matrices_use_row_major_positions_and_ignore_the_stride) {
  const rnd::Stream s{8, 8};
  const std::size_t rows = 37, cols = 29, stride = 40;
  const std::uint64_t offset = 6;
  const auto flat_u = draw_uniform(s, offset, rows * cols);
  Matrix<float> p(rows, cols);
  for (std::size_t i = 0; i < p.size(); ++i) p.data()[i] = flat_u[(i * 7919) % p.size()];
  for (const simd::Target& target : simd::available_targets()) {
    simd::ScopedTarget pin(target);
    const auto flat_z = draw_normal(s, offset, rows * cols, -1.0f, 3.0f);  // normals may differ by target
    Matrix<float> compact(rows, cols), storage(rows, stride, -7.0f);
    MatrixView<float> strided(storage.data(), rows, cols, stride);
    rnd::uniform(s, offset, compact);
    rnd::uniform(s, offset, strided);
    BOOST_TEST(same_bits(compact.values(), flat_u), target.name);
    BOOST_TEST(same_bits(compact, Matrix<float>(ConstView<float>(strided))), target.name);
    rnd::normal(s, offset, compact, -1.0f, 3.0f);
    rnd::normal(s, offset, strided, -1.0f, 3.0f);
    BOOST_TEST(same_bits(compact.values(), flat_z), target.name);
    BOOST_TEST(same_bits(compact, Matrix<float>(ConstView<float>(strided))), target.name);
    // Bernoulli with a strided output, a strided probability matrix, and in place.
    Matrix<float> p_storage(rows, stride, 0.5f);
    MatrixView<float> p_strided(p_storage.data(), rows, cols, stride);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) p_strided(r, c) = p(r, c);
    rnd::bernoulli(s, offset, p, compact);
    rnd::bernoulli(s, offset, p_strided, strided);
    BOOST_TEST(same_bits(compact, Matrix<float>(ConstView<float>(strided))), target.name);
    rnd::bernoulli(s, offset, p_strided, p_strided);
    BOOST_TEST(same_bits(compact, Matrix<float>(ConstView<float>(p_strided))), target.name);
    for (std::size_t i = 0; i < compact.size(); ++i)
      BOOST_TEST(compact.data()[i] == (flat_u[i] < p.data()[i] ? 1.0f : 0.0f));
    std::size_t padding_touched = 0;
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = cols; c < stride; ++c) padding_touched += storage(r, c) != -7.0f;
    BOOST_TEST(padding_touched == 0u, target.name);
  }
}

BOOST_AUTO_TEST_CASE(streams_and_seeds_are_distinct) {
  const auto a = draw_bits({1, 0}, 0, 64), b = draw_bits({1, 1}, 0, 64), c = draw_bits({1ull << 32 | 1, 0}, 0, 64);
  BOOST_TEST((a != b));
  BOOST_TEST((a != c));
}

BOOST_AUTO_TEST_CASE(errors) {
  Matrix<float> p(3, 4), out(4, 3);
  BOOST_CHECK_THROW(rnd::bernoulli({1}, 0, p, out), gibbs::ShapeError);
  Matrix<float> out2(3, 5);
  BOOST_CHECK_THROW(rnd::bernoulli({1}, 0, p, out2), gibbs::ShapeError);
  std::vector<float> v(8);
  const std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
  BOOST_CHECK_THROW(rnd::uniform({1}, last - 6, v), gibbs::ArgumentError);
  BOOST_CHECK_NO_THROW(rnd::uniform({1}, last - 7, v));
  BOOST_CHECK_NO_THROW(rnd::normal({1}, 0, std::span<float>()));
  Matrix<float> empty;
  BOOST_CHECK_NO_THROW(rnd::bernoulli({1}, 0, empty, empty));
}
