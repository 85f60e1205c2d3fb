// Compiles im2col's row-run bodies once per Highway target and exports the dispatching entry points.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "modules/nn/kernels/im2col.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include "modules/nn/kernels/im2col-inl.h"

#if HWY_ONCE
namespace gibbs::kernels {
HWY_EXPORT(CopyRunsImpl);
HWY_EXPORT(AddRunsImpl);

void CopyRuns(const float* src, std::size_t src_stride, float* dst, std::size_t rows, std::size_t width) {
  HWY_DYNAMIC_DISPATCH(CopyRunsImpl)(src, src_stride, dst, rows, width);
}

void AddRuns(const float* src, float* dst, std::size_t dst_stride, std::size_t rows, std::size_t width) {
  HWY_DYNAMIC_DISPATCH(AddRunsImpl)(src, dst, dst_stride, rows, width);
}
}  // namespace gibbs::kernels
#endif
