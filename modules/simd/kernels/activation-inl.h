// Per-target activation functions, forward and backward, shared by the GEMM epilogue and the
// elementwise kernels. Included by a foreach_target body; has its own per-target guard.
#if defined(GIBBS_SIMD_ACTIVATION_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_SIMD_ACTIVATION_INL_H_
#undef GIBBS_SIMD_ACTIVATION_INL_H_
#else
#define GIBBS_SIMD_ACTIVATION_INL_H_
#endif

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include "modules/simd/kernels/activation.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// σ(x) = 1/(1 + e⁻ˣ) for x ≥ 0 and eˣ/(1 + eˣ) below, both from e = e^-|x| ≤ 1: no
// overflow, and full relative precision down to subnormal results (σ(-100) ≈ 3.7e-44).
template <class D, class V>
HWY_INLINE V Sigmoid(D d, V x) {
  const V one = hn::Set(d, 1.0f);
  const V e = hn::Exp(d, hn::Neg(hn::Abs(x)));
  const V s = hn::Div(one, hn::Add(one, e));
  return hn::IfThenElse(hn::Lt(x, hn::Zero(d)), hn::Mul(e, s), s);
}

// Each backward takes y = f(x) and dy; every operation is rounded in float, never fused: the
// same bits on every target.
template <class D, class V>
HWY_INLINE V SigmoidBackward(D d, V y, V dy) {
  return hn::Mul(hn::Mul(dy, y), hn::Sub(hn::Set(d, 1.0f), y));
}

template <class D, class V>
HWY_INLINE V TanhBackward(D d, V y, V dy) {
  return hn::Mul(dy, hn::Sub(hn::Set(d, 1.0f), hn::Mul(y, y)));
}

template <class D, class V>
HWY_INLINE V Relu(D d, V x) {
  return hn::Max(x, hn::Zero(d));
}

template <class D, class V>
HWY_INLINE V ReluBackward(D d, V y, V dy) {
  return hn::IfThenElseZero(hn::Lt(hn::Zero(d), y), dy);
}

template <class D, class V>
HWY_INLINE V Activate(D d, V x, Activation activation) {
  switch (activation) {
    case Activation::kIdentity: return x;
    case Activation::kSigmoid: return Sigmoid(d, x);
    case Activation::kTanh: return hn::Tanh(d, x);
    case Activation::kRelu: return Relu(d, x);
  }
  return x;
}

template <class D, class V>
HWY_INLINE V ActivateBackward(D d, V y, V dy, Activation activation) {
  switch (activation) {
    case Activation::kIdentity: return dy;
    case Activation::kSigmoid: return SigmoidBackward(d, y, dy);
    case Activation::kTanh: return TanhBackward(d, y, dy);
    case Activation::kRelu: return ReluBackward(d, y, dy);
  }
  return dy;
}

// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large |x|.
template <class D, class V>
HWY_INLINE V Softplus(D d, V x) {
  return hn::Add(hn::Max(x, hn::Zero(d)), hn::Log1p(d, hn::Exp(d, hn::Neg(hn::Abs(x)))));
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
