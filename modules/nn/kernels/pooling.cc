// Compiles the 2×2 max pooling bodies once per Highway target and exports the dispatching entry points.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "modules/nn/kernels/pooling.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include "modules/nn/kernels/pooling-inl.h"

#if HWY_ONCE
namespace gibbs::kernels {
HWY_EXPORT(MaxPool2x2Impl);
HWY_EXPORT(MaxPool2x2BackwardImpl);
HWY_EXPORT(MaxPool2x2PicksBackwardImpl);

void MaxPool2x2(const float* x, std::size_t planes, std::size_t plane_stride, std::size_t height, std::size_t width,
                float* y, std::uint8_t* picks) {
  HWY_DYNAMIC_DISPATCH(MaxPool2x2Impl)(x, planes, plane_stride, height, width, y, picks);
}

void MaxPool2x2PicksBackward(const std::uint8_t* picks, const float* dy, std::size_t planes, std::size_t height,
                             std::size_t width, float* dx, std::size_t plane_stride) {
  HWY_DYNAMIC_DISPATCH(MaxPool2x2PicksBackwardImpl)(picks, dy, planes, height, width, dx, plane_stride);
}

void MaxPool2x2Backward(const float* x, const float* y, const float* dy, std::size_t planes, std::size_t height,
                        std::size_t width, float* dx) {
  HWY_DYNAMIC_DISPATCH(MaxPool2x2BackwardImpl)(x, y, dy, planes, height, width, dx);
}
}  // namespace gibbs::kernels
#endif
