// Compiles the GEMM body once per Highway target and exports the dispatching entry points.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "modules/simd/kernels/gemm_f32.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include "modules/simd/kernels/gemm-inl.h"

#if HWY_ONCE
#include <unistd.h>

namespace gibbs::kernels {
HWY_EXPORT(GemmBlockImpl);
HWY_EXPORT(GemmPanelWidthImpl);
HWY_EXPORT(GemmBinaryBoundsImpl);
HWY_EXPORT(TransposeImpl);

void GemmBlock(const GemmProblem& problem, std::size_t m_begin, std::size_t m_end, std::size_t n_begin,
               std::size_t n_end) {
  HWY_DYNAMIC_DISPATCH(GemmBlockImpl)(problem, m_begin, m_end, n_begin, n_end);
}

std::size_t GemmL2Budget() {
  static const std::size_t budget = [] {
    const long l2 = ::sysconf(_SC_LEVEL2_CACHE_SIZE);  // glibc reads it from CPUID
    return l2 > 0 ? static_cast<std::size_t>(l2) / 4 * 3 : std::size_t{768} * 1024;
  }();
  return budget;
}

std::size_t GemmPanelWidth() { return HWY_DYNAMIC_DISPATCH(GemmPanelWidthImpl)(); }

BinaryBounds GemmBinaryBounds() { return HWY_DYNAMIC_DISPATCH(GemmBinaryBoundsImpl)(); }

void Transpose(const float* in, std::size_t in_stride, std::size_t rows, std::size_t cols, float* out,
               std::size_t out_stride) {
  HWY_DYNAMIC_DISPATCH(TransposeImpl)(in, in_stride, rows, cols, out, out_stride);
}
}  // namespace gibbs::kernels
#endif
