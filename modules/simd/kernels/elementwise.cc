// Compiles the elementwise bodies once per Highway target and exports the dispatching entry points.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "modules/simd/kernels/elementwise.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include "modules/simd/kernels/elementwise-inl.h"

#if HWY_ONCE
namespace gibbs::kernels {
HWY_EXPORT(ActivationForwardImpl);
HWY_EXPORT(ActivationBackwardImpl);
HWY_EXPORT(UnaryMapImpl);
HWY_EXPORT(AxpyImpl);
HWY_EXPORT(ColumnSumsImpl);
HWY_EXPORT(SumSquaredDifferenceImpl);
HWY_EXPORT(SquaredErrorRowImpl);

void ActivationForward(Activation activation, const float* x, float* y, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(ActivationForwardImpl)(activation, x, y, n);
}

void ActivationBackward(Activation activation, const float* y, const float* dy, float* dx, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(ActivationBackwardImpl)(activation, y, dy, dx, n);
}

void UnaryMap(UnaryOp op, const float* x, float* y, std::size_t n) { HWY_DYNAMIC_DISPATCH(UnaryMapImpl)(op, x, y, n); }

void Axpy(float alpha, const float* x, float* y, std::size_t n) { HWY_DYNAMIC_DISPATCH(AxpyImpl)(alpha, x, y, n); }

void ColumnSums(const float* m, std::size_t rows, std::size_t cols, std::size_t stride, float* sums) {
  HWY_DYNAMIC_DISPATCH(ColumnSumsImpl)(m, rows, cols, stride, sums);
}

double SumSquaredDifference(const float* a, const float* b, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(SumSquaredDifferenceImpl)(a, b, n);
}

double SquaredErrorRow(const float* x, const float* t, std::size_t n, double scale, float* g) {
  return HWY_DYNAMIC_DISPATCH(SquaredErrorRowImpl)(x, t, n, scale, g);
}
}  // namespace gibbs::kernels
#endif
