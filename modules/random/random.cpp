// gibbs::random front end: checks, then fixed-size chunks of positions over oneTBB threads.
module;
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>
#include "modules/random/kernels/philox.h"
module gibbs.random;
import gibbs.core;

namespace gibbs::random {
namespace {

// Positions per task. Chunks depend on the request only, never on the thread count; the
// values do not depend on chunks at all, since each is a function of its position.
constexpr std::size_t kChunk = 16 * 1024;

kernels::PhiloxStream to_kernel(Stream s) { return {s.seed, s.id}; }

void check_range(std::uint64_t offset, std::size_t count) {
  if (count > 0 && offset > std::numeric_limits<std::uint64_t>::max() - (count - 1))
    throw ArgumentError("random: positions run past 2^64 - 1 (offset too large for the request)");
}

// Calls run(begin, end) over [0, count) in chunks of about `chunk`, in parallel when
// there is more than one chunk.
template <class Run>
void for_chunks(std::size_t count, std::size_t chunk, const Run& run) {
  const std::size_t chunks = (count + chunk - 1) / chunk;
  if (chunks <= 1 || thread_count() <= 1) {
    if (count > 0) run(0, count);
    return;
  }
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, chunks, 1),
      [&](const tbb::blocked_range<std::size_t>& range) {
        for (std::size_t k = range.begin(); k != range.end(); ++k) run(k * chunk, std::min(count, (k + 1) * chunk));
      },
      tbb::simple_partitioner());
}

// fill(position, count, out) over a span, chunked.
template <class T, class Fill>
void fill_span(std::uint64_t offset, std::span<T> out, const Fill& fill) {
  check_range(offset, out.size());
  for_chunks(out.size(), kChunk,
             [&](std::size_t begin, std::size_t end) { fill(offset + begin, end - begin, out.data() + begin); });
}

// fill(position, count, r, c) over a rows × cols matrix: each call covers count elements
// from (r, c) on, in one row, or across rows when every operand is compact.
template <class Fill>
void fill_rows(std::uint64_t offset, std::size_t rows, std::size_t cols, bool compact, const Fill& fill) {
  check_range(offset, rows * cols);
  if (rows == 0 || cols == 0) return;
  if (compact) {
    for_chunks(rows * cols, kChunk, [&](std::size_t begin, std::size_t end) {
      fill(offset + begin, end - begin, begin / cols, begin % cols);
    });
    return;
  }
  for_chunks(rows, std::max<std::size_t>(1, kChunk / cols), [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) fill(offset + r * cols, cols, r, 0);
  });
}

template <class T>
bool is_compact(MatrixView<T> v) {
  return v.stride() == v.cols() || v.rows() <= 1;
}

template <class T>
T* at(MatrixView<T> v, std::size_t r, std::size_t c) {
  return v.data() + r * v.stride() + c;
}

}  // namespace

void bits(Stream s, std::uint64_t offset, std::span<std::uint32_t> out) {
  const kernels::PhiloxStream k = to_kernel(s);
  fill_span(offset, out, [&](std::uint64_t p, std::size_t n, std::uint32_t* o) { kernels::PhiloxBits(k, p, n, o); });
}

void uniform(Stream s, std::uint64_t offset, std::span<float> out) {
  const kernels::PhiloxStream k = to_kernel(s);
  fill_span(offset, out, [&](std::uint64_t p, std::size_t n, float* o) { kernels::PhiloxUniform(k, p, n, o); });
}

void uniform(Stream s, std::uint64_t offset, MatrixView<float> out) {
  const kernels::PhiloxStream k = to_kernel(s);
  fill_rows(offset, out.rows(), out.cols(), is_compact(out),
            [&](std::uint64_t p, std::size_t n, std::size_t r, std::size_t c) {
              kernels::PhiloxUniform(k, p, n, at(out, r, c));
            });
}

void normal(Stream s, std::uint64_t offset, std::span<float> out, float mean, float stddev) {
  const kernels::PhiloxStream k = to_kernel(s);
  fill_span(offset, out,
            [&](std::uint64_t p, std::size_t n, float* o) { kernels::PhiloxNormal(k, p, n, mean, stddev, o); });
}

void normal(Stream s, std::uint64_t offset, MatrixView<float> out, float mean, float stddev) {
  const kernels::PhiloxStream k = to_kernel(s);
  fill_rows(offset, out.rows(), out.cols(), is_compact(out),
            [&](std::uint64_t p, std::size_t n, std::size_t r, std::size_t c) {
              kernels::PhiloxNormal(k, p, n, mean, stddev, at(out, r, c));
            });
}

void bernoulli(Stream s, std::uint64_t offset, ConstView<float> probabilities, MatrixView<float> out) {
  expect_shape("bernoulli: output", out.shape(), probabilities.shape());
  const kernels::PhiloxStream k = to_kernel(s);
  const bool compact = is_compact(out) && is_compact(probabilities);
  fill_rows(offset, out.rows(), out.cols(), compact, [&](std::uint64_t p, std::size_t n, std::size_t r, std::size_t c) {
    kernels::PhiloxBernoulli(k, p, n, at(probabilities, r, c), at(out, r, c));
  });
}

namespace {

// Fisher–Yates over `order` (already 0 … n−1) with the raw outputs in `raw` (2n values).
template <class Index>
void shuffle(std::span<Index> order, std::span<const std::uint32_t> raw) {
  for (std::size_t i = order.size(); i-- > 1;) {  // the bias of j is below 2^-32
    const std::uint64_t r = std::uint64_t{raw[2 * i]} << 32 | raw[2 * i + 1];
    const auto j = static_cast<std::size_t>((static_cast<unsigned __int128>(r) * (i + 1)) >> 64);
    std::swap(order[i], order[j]);
  }
}

}  // namespace

std::vector<std::size_t> permutation(Stream s, std::size_t n) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::vector<std::uint32_t> raw(2 * n);
  bits(s, 0, raw);
  shuffle(std::span(order), std::span<const std::uint32_t>(raw));
  return order;
}

void permutation(Stream s, std::uint64_t offset, std::span<std::uint32_t> order, std::span<std::uint32_t> scratch) {
  const std::size_t n = order.size();
  if (scratch.size() < 2 * n) throw ArgumentError("permutation: the scratch needs two values per element");
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
  bits(s, offset, scratch.first(2 * n));
  shuffle(order, std::span<const std::uint32_t>(scratch.first(2 * n)));
}

void streams::Family::throw_outside(std::uint64_t index, std::uint64_t lane) const {
  throw ArgumentError("random streams: the " + std::string(name) + " family has indices below " +
                      std::to_string(count) + " and lanes below " + std::to_string(lanes) + " (got index " +
                      std::to_string(index) + ", lane " + std::to_string(lane) + ")");
}

}  // namespace gibbs::random
