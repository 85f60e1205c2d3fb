// Per-target GEMM body: a register-blocked broadcast micro-kernel (up to 6 rows × 4 vectors on
// AVX-512, 6 × 2 on AVX2) over column panels of B that stay in L2. alpha, beta, a bias and a
// ReLU are applied while the tile is in registers; other activations right after, in L1.
#if defined(GIBBS_SIMD_GEMM_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_SIMD_GEMM_INL_H_
#undef GIBBS_SIMD_GEMM_INL_H_
#else
#define GIBBS_SIMD_GEMM_INL_H_
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include <hwy/aligned_allocator.h>
#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include "modules/simd/kernels/gemm.h"
#include "modules/simd/kernels/gemm_binary-inl.h"
#include "modules/simd/kernels/gemm_dot-inl.h"
#include "modules/simd/kernels/gemm_epilogue-inl.h"
#include "modules/simd/kernels/gemm_pack-inl.h"
#include "modules/simd/kernels/prefetch.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

constexpr std::size_t kTileRows = 6;
// 6 × 4 accumulators, 4 vectors of B and a broadcast take 29 of 32 registers. With 16, 6 × 4
// spilled half the accumulators to the stack on every step over K; 6 × 2 and 3 take 15.
constexpr std::size_t kTileVectors = kVectorRegisters >= 32 ? 4 : 2;
constexpr std::size_t kPanel = kTileVectors * kLanes;  // columns per panel
constexpr std::size_t kMaxSinglePassK = kGemmMaxSinglePassK;
constexpr std::size_t kPassK = 512;     // the K slice of each pass beyond it
constexpr std::size_t kMaxPanels = 64;  // panels in one L2 chunk of B
// A block of at most this many row tiles takes each panel of B through all its tiles before
// the next panel: B then streams in once a pass, and only one panel of it (not a whole L2
// chunk) has to stay in L2 for the other tiles. More tiles keep each tile of A in L1 instead.
constexpr std::size_t kPanelOuterMaxTiles = kGemmPanelOuterMaxRows / kTileRows;

// A column panel of op(B) for one K slice: row p of the panel starts at data + p * stride.
struct Panel {
  const float* data;
  std::size_t stride;
  std::size_t width;  // valid columns, at most kPanel; the rest read as zeros
  // Only `width` columns may be read (B in place): the last vector loads under a mask.
  bool masked_tail;
};

template <std::size_t kRows, std::size_t kVectors, std::size_t kRow = 0>
HWY_INLINE void FmaRows(DF d, const float* HWY_RESTRICT a, std::size_t a_rs, const VF (&b)[kVectors],
                        Accumulators<kRows, kVectors>& acc) {
  if constexpr (kRow < kRows) {
    const VF ar = hn::Set(d, a[kRow * a_rs]);
    VF* row = acc.v + kRow * kVectors;
    row[0] = hn::MulAdd(ar, b[0], row[0]);
    if constexpr (kVectors > 1) row[1] = hn::MulAdd(ar, b[1], row[1]);
    if constexpr (kVectors > 2) row[2] = hn::MulAdd(ar, b[2], row[2]);
    if constexpr (kVectors > 3) row[3] = hn::MulAdd(ar, b[3], row[3]);
    FmaRows<kRows, kVectors, kRow + 1>(d, a, a_rs, b, acc);
  }
}

template <std::size_t kVectors, bool kMaskedTail, std::size_t kVector = 0>
HWY_INLINE void LoadPanelRow(DF d, const float* HWY_RESTRICT bp, hn::Mask<DF> tail, VF (&b)[kVectors]) {
  if constexpr (kVector < kVectors) {
    if constexpr (kMaskedTail && kVector + 1 == kVectors) {
      b[kVector] = hn::MaskedLoad(tail, d, bp + kVector * kLanes);
    } else {
      b[kVector] = hn::LoadU(d, bp + kVector * kLanes);
    }
    LoadPanelRow<kVectors, kMaskedTail, kVector + 1>(d, bp, tail, b);
  }
}

// acc = op(A)[rows, slice] · panel over k steps, a(r, p) = a[r * a_rs + p * a_cs]; then the
// epilogue writes the tile to C while it is still in registers. kVectors < kTileVectors
// serves the last, narrower panel of C.
template <std::size_t kRows, std::size_t kVectors, bool kMaskedTail>
HWY_NOINLINE void Tile(DF d, const float* HWY_RESTRICT a, std::size_t a_rs, std::size_t a_cs, const Panel& b,
                       std::size_t k, float* HWY_RESTRICT c, std::size_t ldc, const float* bias,
                       const PassEpilogue& epilogue) {
  // A copy, so that stores to C cannot alias it. Passed by value instead, the caller rebuilt the
  // 32-byte argument from its fields before every call and read it back whole, a stall that
  // perf put at 5% of W4 on Zen 4.
  const PassEpilogue e = epilogue;
  // Fetch C's lines now, to write, so the epilogue, k steps later, does not wait on them (matters
  // when K is small and C large, as in the RBM's Vᵀ·H).
  for (std::size_t r = 0; r < kRows; ++r) PrefetchLinesToWrite(c + r * ldc, b.width);
  Accumulators<kRows, kVectors> acc;
  for (VF& v : acc.v) v = hn::Zero(d);
  const float* HWY_RESTRICT bp = b.data;
  const std::size_t b_stride = b.stride;
  const hn::Mask<DF> tail = hn::FirstN(d, b.width - (kVectors - 1) * kLanes);
  for (std::size_t p = 0; p < k; ++p, bp += b_stride, a += a_cs) {
    VF bv[kVectors];
    LoadPanelRow<kVectors, kMaskedTail>(d, bp, tail, bv);
    FmaRows<kRows, kVectors>(d, a, a_rs, bv, acc);
  }
  WriteTile<kRows, kVectors>(d, acc, c, ldc, b.width, bias, e);
}

using TileFn = void (*)(DF, const float*, std::size_t, std::size_t, const Panel&, std::size_t, float*, std::size_t,
                        const float*, const PassEpilogue&);

template <std::size_t kVectors, bool kMaskedTail>
HWY_INLINE TileFn TileForRows(std::size_t rows) {
  switch (rows) {
    case 1: return &Tile<1, kVectors, kMaskedTail>;
    case 2: return &Tile<2, kVectors, kMaskedTail>;
    case 3: return &Tile<3, kVectors, kMaskedTail>;
    case 4: return &Tile<4, kVectors, kMaskedTail>;
    case 5: return &Tile<5, kVectors, kMaskedTail>;
    default: return &Tile<6, kVectors, kMaskedTail>;
  }
}

// The tile kernel for a panel of `vectors` vectors, at most kTileVectors.
template <bool kMaskedTail, std::size_t kVectors = kTileVectors>
HWY_INLINE TileFn TileForWidth(std::size_t rows, std::size_t vectors) {
  if constexpr (kVectors > 1) {
    if (vectors < kVectors) return TileForWidth<kMaskedTail, kVectors - 1>(rows, vectors);
  }
  return TileForRows<kVectors, kMaskedTail>(rows);
}

// The tile kernel for a block of rows of C × one panel.
HWY_INLINE TileFn TileFor(std::size_t rows, const Panel& b) {
  const std::size_t vectors = (b.width + kLanes - 1) / kLanes;
  if constexpr (masked::kNative) {
    if (b.masked_tail) return TileForWidth<true>(rows, vectors);
  }
  return TileForWidth<false>(rows, vectors);
}

// Rows [m0, m1) are cut into tiles of at most 6 rows, as even as possible (20 rows: 5,5,5,5).
struct RowTiling {
  std::size_t tiles, base, extra;
  RowTiling(std::size_t rows)
      : tiles((rows + kTileRows - 1) / kTileRows), base(tiles ? rows / tiles : 0), extra(tiles ? rows % tiles : 0) {}
  std::size_t rows_of(std::size_t t) const { return base + (t < extra ? 1 : 0); }
  std::size_t first_row(std::size_t t) const { return t * base + std::min(t, extra); }
};

HWY_NOINLINE void GemmBlockImpl(const GemmProblem& pr, std::size_t m0, std::size_t m1, std::size_t n0, std::size_t n1) {
  const DF d;
  if (m0 >= m1 || n0 >= n1) return;
  if (pr.a_binary) m0 = BinaryBlocks(pr, m0, m1, n0, n1);
  if (m0 >= m1) return;
  if (pr.dot_allowed && pr.b_transposed && pr.a_col_stride == 1 && DotKernelFits(pr.m, pr.k))
    return DotBlock(pr, m0, m1, n0, n1);
  const std::size_t k_pass = pr.k <= kMaxSinglePassK ? std::max<std::size_t>(pr.k, 1) : kPassK;
  // A last, narrower panel is read in place too where masked loads cannot fault.
  const bool read_b_in_place = ReadsBInPlace(m1 - m0, pr.k, pr.ldb, pr.b_transposed, kPanel);
  const std::size_t nc =
      std::clamp(GemmL2Budget() / (k_pass * sizeof(float)) / kPanel, std::size_t{1}, kMaxPanels) * kPanel;
  const RowTiling tiling(m1 - m0);

  std::size_t k0 = 0;
  do {
    const std::size_t k = std::min(k_pass, pr.k - k0);
    const PassEpilogue e(pr, k0 == 0, k0 + k >= pr.k);
    for (std::size_t j0 = n0; j0 < n1; j0 += nc) {
      const std::size_t jn = std::min(nc, n1 - j0);
      const std::size_t panels = (jn + kPanel - 1) / kPanel;
      Panel views[kMaxPanels];
      float* packed = nullptr;
      for (std::size_t q = 0; q < panels; ++q) {
        const std::size_t j = j0 + q * kPanel;
        const std::size_t width = std::min(kPanel, n1 - j);
        if (read_b_in_place && (width == kPanel || masked::kNative)) {
          views[q] = Panel{pr.b + k0 * pr.ldb + j, pr.ldb, width, width % kLanes != 0};
        } else {
          if (packed == nullptr) packed = ThreadBuffer<float>(panels * k * kPanel);
          float* dst = packed + q * k * kPanel;
          PackPanel<kPanel>(pr, k0, k, j, width, dst);
          views[q] = Panel{dst, kPanel, width, false};
        }
      }
      const bool panel_outer = tiling.tiles <= kPanelOuterMaxTiles;
      for (std::size_t n = 0; n < tiling.tiles * panels; ++n) {
        const std::size_t t = panel_outer ? n % tiling.tiles : n / panels;
        const std::size_t q = panel_outer ? n / tiling.tiles : n % panels;
        const std::size_t i = m0 + tiling.first_row(t), j = j0 + q * kPanel;
        const float* a = pr.a + i * pr.a_row_stride + k0 * pr.a_col_stride;
        const float* bias = pr.column_bias != nullptr ? pr.column_bias + j : nullptr;
        TileFor(tiling.rows_of(t), views[q])(d, a, pr.a_row_stride, pr.a_col_stride, views[q], k, pr.c + i * pr.ldc + j,
                                             pr.ldc, bias, e);
      }
    }
    k0 += k;
  } while (k0 < pr.k);
}

HWY_NOINLINE std::size_t GemmPanelWidthImpl() { return kPanel; }

// The share of ones at which the binary kernel takes as long as the tile kernel, for B read in
// place or packed: both kernels timed on an RBM's product, 128 × 512 × 512, A about half ones,
// B's rows an odd number of lines apart as an RBM pads its W (read in place), or B transposed
// (packed); the binary kernel's time taken as its ones' share. The fastest of five runs each,
// alternating, so that a busy moment of the host moves neither alone (about 10 ms in all).
// Clamped, so that very sparse samples always take the binary kernel and dense ones never do.
HWY_INLINE double BinaryBreakEven(bool b_transposed) {
  constexpr std::size_t m = 128, k = 512, n = 512, ldb = 528;  // B or Bᵀ: rows 33 lines apart
  std::vector<float> a(m * k), b(k * ldb), c(m * n);
  std::uint32_t state = 2463534242u;  // xorshift32
  std::size_t ones = 0;
  for (float& v : a) {
    state ^= state << 13, state ^= state >> 17, state ^= state << 5;
    v = static_cast<float>(state >> 31);
    ones += state >> 31;
  }
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = 1.0f / static_cast<float>(1 + i % 7);
  GemmProblem pr;
  pr.m = m, pr.n = n, pr.k = k;
  pr.a = a.data(), pr.a_row_stride = k, pr.a_col_stride = 1;
  pr.b = b.data(), pr.ldb = ldb, pr.b_transposed = b_transposed;
  pr.dot_allowed = false;
  pr.c = c.data(), pr.ldc = n;
  pr.binary_bounds = {1, 1};
  const auto seconds = [](auto&& run) {
    const auto start = std::chrono::steady_clock::now();
    run();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  double dense = INFINITY, binary = INFINITY;
  for (int run = 0; run < 6; ++run) {  // the first warms the caches and the buffers
    const double d = seconds([&] { GemmBlockImpl(pr, 0, m, 0, n); });
    const double b = seconds([&] { BinaryBlock(pr, 0, m, 0, n); });
    if (run > 0) dense = std::min(dense, d), binary = std::min(binary, b);
  }
  const double share = static_cast<double>(ones) / static_cast<double>(m * k);
  return std::clamp(share * dense / binary, 0.15, 0.75);
}

HWY_NOINLINE BinaryBounds GemmBinaryBoundsImpl() {
  if constexpr (!masked::kNative) return {};                                        // no binary kernel on this target
  static const BinaryBounds bounds{BinaryBreakEven(false), BinaryBreakEven(true)};  // one per target
  return bounds;
}

HWY_NOINLINE void TransposeImpl(const float* in, std::size_t in_stride, std::size_t rows, std::size_t cols, float* out,
                                std::size_t out_stride) {
  TransposeBlock(in, in_stride, rows, cols, out, out_stride);
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
