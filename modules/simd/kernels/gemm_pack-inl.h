// Per-target packing of B for the GEMM kernels: a column panel of op(B) copied into contiguous,
// zero-padded rows, from B or from Bᵀ; and per-thread scratch (for it and for the binary kernel).
#if defined(GIBBS_SIMD_GEMM_PACK_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_SIMD_GEMM_PACK_INL_H_
#undef GIBBS_SIMD_GEMM_PACK_INL_H_
#else
#define GIBBS_SIMD_GEMM_PACK_INL_H_
#endif

#include <algorithm>
#include <cstddef>

#include <hwy/aligned_allocator.h>
#include <hwy/highway.h>

#include "modules/simd/kernels/gemm.h"
#include "modules/simd/kernels/gemm_epilogue-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// out(c, r) = in(r, c) for a rows × cols block: 4 × 4 blocks with 128-bit shuffles, the
// ragged edges one by one.
HWY_INLINE void TransposeBlock(const float* HWY_RESTRICT in, std::size_t in_stride, std::size_t rows, std::size_t cols,
                               float* HWY_RESTRICT out, std::size_t out_stride) {
  const hn::Full128<float> d4;
  using V4 = hn::Vec<decltype(d4)>;
  const std::size_t rows4 = rows / 4 * 4, cols4 = cols / 4 * 4;
  for (std::size_t r = 0; r < rows4; r += 4) {
    const float* r0 = in + r * in_stride;
    const float *r1 = r0 + in_stride, *r2 = r1 + in_stride, *r3 = r2 + in_stride;
    for (std::size_t c = 0; c < cols4; c += 4) {
      const V4 a0 = hn::LoadU(d4, r0 + c), a1 = hn::LoadU(d4, r1 + c);
      const V4 a2 = hn::LoadU(d4, r2 + c), a3 = hn::LoadU(d4, r3 + c);
      const V4 t0 = hn::InterleaveLower(d4, a0, a1), t1 = hn::InterleaveLower(d4, a2, a3);
      const V4 t2 = hn::InterleaveUpper(d4, a0, a1), t3 = hn::InterleaveUpper(d4, a2, a3);
      float* dst = out + c * out_stride + r;
      hn::StoreU(hn::ConcatLowerLower(d4, t1, t0), d4, dst);
      hn::StoreU(hn::ConcatUpperUpper(d4, t1, t0), d4, dst + out_stride);
      hn::StoreU(hn::ConcatLowerLower(d4, t3, t2), d4, dst + 2 * out_stride);
      hn::StoreU(hn::ConcatUpperUpper(d4, t3, t2), d4, dst + 3 * out_stride);
    }
    for (std::size_t c = cols4; c < cols; ++c)
      for (std::size_t t = 0; t < 4; ++t) out[c * out_stride + r + t] = in[(r + t) * in_stride + c];
  }
  for (std::size_t r = rows4; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) out[c * out_stride + r] = in[r * in_stride + c];
}

// Packs op(B)[k0 .. k0+k, j0 .. j0+width) into a zero-padded k × kWidth panel.
template <std::size_t kWidth>
HWY_INLINE void PackPanel(const GemmProblem& pr, std::size_t k0, std::size_t k, std::size_t j0, std::size_t width,
                          float* HWY_RESTRICT out) {
  const DF d;
  if (!pr.b_transposed) {
    for (std::size_t p = 0; p < k; ++p) {
      const float* src = pr.b + (k0 + p) * pr.ldb + j0;
      float* dst = out + p * kWidth;
      for (std::size_t col = 0; col < kWidth; col += kLanes) {
        const std::size_t count = col < width ? std::min(kLanes, width - col) : 0;
        const VF v = count == kLanes ? hn::LoadU(d, src + col)
                     : count == 0    ? hn::Zero(d)
                                     : LoadPartial(d, src + col, count);
        hn::Store(v, d, dst + col);
      }
    }
    return;
  }
  // op(B)(p, j) = b[j * ldb + p].
  TransposeBlock(pr.b + j0 * pr.ldb + k0, pr.ldb, width, k, out, kWidth);
  if (width < kWidth)
    for (std::size_t p = 0; p < k; ++p) std::fill(out + p * kWidth + width, out + (p + 1) * kWidth, 0.0f);
}

// Per-thread scratch of `count` Ts, grown on demand and kept between calls; one buffer per type:
// float for packed B, std::uint32_t for the binary kernel's lists of ones.
template <typename T>
HWY_INLINE T* ThreadBuffer(std::size_t count) {
  thread_local hwy::AlignedFreeUniquePtr<T[]> buffer;
  thread_local std::size_t capacity = 0;
  if (count > capacity) {
    buffer = hwy::AllocateAligned<T>(count);
    capacity = count;
  }
  return buffer.get();
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
