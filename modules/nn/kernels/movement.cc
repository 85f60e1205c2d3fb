// Compiles the data-movement bodies once per Highway target and exports the dispatching entry points.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "modules/nn/kernels/movement.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include "modules/nn/kernels/movement-inl.h"

#if HWY_ONCE
namespace gibbs::kernels {
HWY_EXPORT(CopyRunsImpl);
HWY_EXPORT(AddRunsImpl);
HWY_EXPORT(MaxPool2x2RowImpl);
HWY_EXPORT(MaxPool2x2BackwardRowImpl);

void CopyRuns(const float* src, std::size_t src_stride, float* dst, std::size_t rows, std::size_t width) {
  HWY_DYNAMIC_DISPATCH(CopyRunsImpl)(src, src_stride, dst, rows, width);
}

void AddRuns(const float* src, float* dst, std::size_t dst_stride, std::size_t rows, std::size_t width) {
  HWY_DYNAMIC_DISPATCH(AddRunsImpl)(src, dst, dst_stride, rows, width);
}

void MaxPool2x2Row(const float* top, const float* bottom, float* y, std::size_t count) {
  HWY_DYNAMIC_DISPATCH(MaxPool2x2RowImpl)(top, bottom, y, count);
}

void MaxPool2x2BackwardRow(const float* top, const float* bottom, const float* y, const float* dy, float* top_dx,
                           float* bottom_dx, std::size_t count) {
  HWY_DYNAMIC_DISPATCH(MaxPool2x2BackwardRowImpl)(top, bottom, y, dy, top_dx, bottom_dx, count);
}
}  // namespace gibbs::kernels
#endif
