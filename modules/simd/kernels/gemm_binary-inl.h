// Per-target GEMM for an A of zeros and ones (an RBM's Bernoulli samples): each row of C is the
// sum of the rows of op(B) where A's row holds a one, in increasing k, the zeros skipped. The tile
// kernel's arithmetic gives the same bits: 1·b + acc rounds as b + acc, and 0·b adds an exact
// zero to an accumulator that started at +0 (B finite). A's rows are first listed as the indices
// of their ones; a block whose A holds any other value, or too many ones to gain, is left to the
// tile kernel.
#if defined(GIBBS_SIMD_GEMM_BINARY_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_SIMD_GEMM_BINARY_INL_H_
#undef GIBBS_SIMD_GEMM_BINARY_INL_H_
#else
#define GIBBS_SIMD_GEMM_BINARY_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <hwy/highway.h>

#include "modules/simd/kernels/gemm.h"
#include "modules/simd/kernels/gemm_epilogue-inl.h"
#include "modules/simd/kernels/gemm_pack-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Columns of C per pass over A's ones: 64, 4 accumulators a row on AVX-512, 8 on AVX2. Each
// vector's adds wait on the last; 4 keep one 512-bit add a cycle busy (Zen 4), 8 the two
// 256-bit adds a cycle that two loads a cycle can feed (Zen 3: latency 3).
constexpr std::size_t kBinaryChunk = 64;
constexpr std::size_t kBinaryVectors = kBinaryChunk / kLanes;
// Rows of C a block takes through each K slice: their partial sums (8 KiB on AVX-512) and the
// slice of B's chunk (16 KiB) stay in L1 together, so that each row of B read from L2 serves
// every row of the block with a one there. Row by row over all of K, B came from L2 for every
// add: a third of the speed.
constexpr std::size_t kBinaryBlockRows = 32;
constexpr std::size_t kBinarySliceK = 64;
// Rows of A listed at a time (lists of at most 256 · 1024 indices, 1 MiB).
constexpr std::size_t kBinaryListRows = 256;

// The indices of the ones of A's rows [m0, m1), row after row; row_end[r] is where row m0 + r's
// end. False where a value is neither 0 nor 1 (A is then no sample), or where the ones exceed
// max_ones.
HWY_INLINE bool ListOnes(const GemmProblem& pr, std::size_t m0, std::size_t m1, std::size_t max_ones,
                         std::uint32_t* HWY_RESTRICT ones, std::size_t* HWY_RESTRICT row_end) {
  const DF d;
  const hn::RebindToSigned<DF> di;
  const VF zero = hn::Zero(d), one = hn::Set(d, 1.0f);
  std::size_t count = 0;
  for (std::size_t i = m0; i < m1; ++i) {
    const float* a = pr.a + i * pr.a_row_stride;
    for (std::size_t p = 0; p < pr.k; p += kLanes) {
      const std::size_t lanes = std::min(kLanes, pr.k - p);
      const VF x = lanes == kLanes ? hn::LoadU(d, a + p) : LoadPartial(d, a + p, lanes);
      const auto is_one = hn::Eq(x, one);
      if (!hn::AllTrue(d, hn::Or(is_one, hn::Eq(x, zero)))) return false;
      // Compress and a whole store: Zen 4 microcodes the compressing store to memory.
      const auto take = hn::RebindMask(di, is_one);
      const auto at = hn::Iota(di, static_cast<std::int32_t>(p));
      hn::StoreU(hn::Compress(at, take), di, reinterpret_cast<std::int32_t*>(ones + count));
      count += hn::CountTrue(di, take);
      if (count > max_ones) return false;
    }
    row_end[i - m0] = count;
  }
  return true;
}

// acc += a row of op(B); with kMasked, only the lanes of `lanes` are read (B's last columns in place).
using RowSums = Accumulators<1, kBinaryVectors>;

template <bool kMasked, std::size_t kV = 0>
HWY_INLINE void AddRow(DF d, const float* HWY_RESTRICT b, const hn::Mask<DF> (&lanes)[kBinaryVectors], RowSums& acc) {
  if constexpr (kV < kBinaryVectors) {
    if constexpr (kMasked) {
      acc.v[kV] = hn::Add(acc.v[kV], hn::MaskedLoad(lanes[kV], d, b + kV * kLanes));
    } else {
      acc.v[kV] = hn::Add(acc.v[kV], hn::LoadU(d, b + kV * kLanes));
    }
    AddRow<kMasked, kV + 1>(d, b, lanes, acc);
  }
}

// C's rows [i, i + rows) (at most kBinaryBlockRows), columns [j, j + width), from op(B)'s rows
// b + p·b_stride (B in place, or a chunk of it packed kBinaryChunk wide): per K slice, each row's
// sum goes on from where the last slice left it; after the last, the epilogue.
// ones[row_begin[r] .. row_begin[r + 1]) are row i + r's.
template <bool kMasked>
HWY_NOINLINE void BinaryRows(const GemmProblem& pr, const float* HWY_RESTRICT b, std::size_t b_stride,
                             const std::uint32_t* HWY_RESTRICT ones, const std::size_t* HWY_RESTRICT row_begin,
                             std::size_t rows, std::size_t i, std::size_t j, std::size_t width,
                             const PassEpilogue& epilogue) {
  const PassEpilogue e = epilogue;  // a copy, as Tile takes it
  const DF d;
  hn::Mask<DF> lanes[kBinaryVectors];
  for (std::size_t v = 0; v < kBinaryVectors; ++v)
    lanes[v] = hn::FirstN(d, std::min(kLanes, width - std::min(width, v * kLanes)));
  HWY_ALIGN float partial[kBinaryBlockRows * kBinaryChunk];
  std::size_t next[kBinaryBlockRows];
  std::copy_n(row_begin, rows, next);
  const float* bias = pr.column_bias != nullptr ? pr.column_bias + j : nullptr;
  const std::size_t slices = (pr.k + kBinarySliceK - 1) / kBinarySliceK;
  for (std::size_t s = 0; s < slices; ++s) {
    const std::size_t limit = (s + 1) * kBinarySliceK;
    for (std::size_t r = 0; r < rows; ++r) {
      float* sum = partial + r * kBinaryChunk;
      RowSums acc;
      for (std::size_t v = 0; v < kBinaryVectors; ++v) acc.v[v] = s == 0 ? hn::Zero(d) : hn::Load(d, sum + v * kLanes);
      std::size_t q = next[r];
      for (const std::size_t end = row_begin[r + 1]; q < end && ones[q] < limit; ++q)
        AddRow<kMasked>(d, b + ones[q] * b_stride, lanes, acc);
      next[r] = q;
      if (s + 1 < slices) {
        for (std::size_t v = 0; v < kBinaryVectors; ++v) hn::Store(acc.v[v], d, sum + v * kLanes);
        continue;
      }
      WriteTile(d, acc, pr.c + (i + r) * pr.ldc + j, pr.ldc, width, bias, e);
    }
  }
}

// Rows [m0, m1) × columns [n0, n1) of C from the lists of A's ones, if A's rows are all zeros
// and ones and few enough of them are ones; false (nothing written) otherwise.
HWY_INLINE bool BinaryBlock(const GemmProblem& pr, std::size_t m0, std::size_t m1, std::size_t n0, std::size_t n1) {
  if constexpr (!masked::kNative) {
    return false;
  } else {
    // One pass over K, as the tile kernel's (more passes round C in between).
    if (pr.a_col_stride != 1 || pr.k == 0 || pr.k > kGemmMaxSinglePassK) return false;
    const std::size_t rows = m1 - m0;  // at most kBinaryListRows
    std::size_t row_end[kBinaryListRows + 1];
    row_end[0] = 0;
    std::uint32_t* ones = ThreadBuffer<std::uint32_t>(rows * pr.k + kLanes);  // Compress stores whole vectors
    // B's rows in place where they fall on all of L1's sets (rows 2 KiB apart fell on 8 of 64
    // and missed it) or where too few rows of C would share a packed chunk to pay for it.
    const bool in_place =
        !pr.b_transposed && (StrideAlignment(pr.ldb) <= kBinaryChunk * sizeof(float) || rows < kBinaryBlockRows);
    const double bound = in_place ? pr.binary_bounds.in_place : pr.binary_bounds.packed;
    const auto max_ones = static_cast<std::size_t>(bound * static_cast<double>(rows * pr.k));
    if (!ListOnes(pr, m0, m1, max_ones, ones, row_end + 1)) return false;
    const PassEpilogue e(pr, true, true);
    float* packed = in_place ? nullptr : ThreadBuffer<float>(pr.k * kBinaryChunk);
    for (std::size_t j = n0; j < n1; j += kBinaryChunk) {
      const std::size_t width = std::min(kBinaryChunk, n1 - j);
      if (!in_place) PackPanel<kBinaryChunk>(pr, 0, pr.k, j, width, packed);
      const float* b = in_place ? pr.b + j : packed;
      const std::size_t b_stride = in_place ? pr.ldb : kBinaryChunk;
      const auto kernel = in_place && width < kBinaryChunk ? &BinaryRows<true> : &BinaryRows<false>;
      for (std::size_t r = 0; r < rows; r += kBinaryBlockRows)
        kernel(pr, b, b_stride, ones, row_end + r, std::min(kBinaryBlockRows, rows - r), m0 + r, j, width, e);
    }
    return true;
  }
}

// Rows [m0, m1) × columns [n0, n1) of C by the binary kernel, kBinaryListRows rows at a time (their
// lists stay in L2), up to the first group it does not take; returns that group's first row (m1
// when it took them all). The rest is the tile kernel's: A is then no sample, or too dense.
HWY_INLINE std::size_t BinaryBlocks(const GemmProblem& pr, std::size_t m0, std::size_t m1, std::size_t n0,
                                    std::size_t n1) {
  for (std::size_t i = m0; i < m1; i += kBinaryListRows)
    if (!BinaryBlock(pr, i, std::min(m1, i + kBinaryListRows), n0, n1)) return i;
  return m1;
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
