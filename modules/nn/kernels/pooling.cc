// Compiles the 2×2 max pooling bodies once per Highway target and exports the dispatching entry points.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "modules/nn/kernels/pooling.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include "modules/nn/kernels/pooling-inl.h"

#if HWY_ONCE
namespace gibbs::kernels {
HWY_EXPORT(MaxPool2x2RowImpl);
HWY_EXPORT(MaxPool2x2BackwardRowImpl);

void MaxPool2x2Row(const float* top, const float* bottom, float* y, std::size_t count) {
  HWY_DYNAMIC_DISPATCH(MaxPool2x2RowImpl)(top, bottom, y, count);
}

void MaxPool2x2BackwardRow(const float* top, const float* bottom, const float* y, const float* dy, float* top_dx,
                           float* bottom_dx, std::size_t count) {
  HWY_DYNAMIC_DISPATCH(MaxPool2x2BackwardRowImpl)(top, bottom, y, dy, top_dx, bottom_dx, count);
}
}  // namespace gibbs::kernels
#endif
