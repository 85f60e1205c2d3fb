// Per-target elementwise bodies: activations over arrays, forward and backward (reusing
// activation-inl.h), exp and softplus, axpy, column sums and the squared-difference reduction,
// the last two accumulated in double.
#if defined(GIBBS_SIMD_ELEMENTWISE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_SIMD_ELEMENTWISE_INL_H_
#undef GIBBS_SIMD_ELEMENTWISE_INL_H_
#else
#define GIBBS_SIMD_ELEMENTWISE_INL_H_
#endif

#include <cstddef>
#include <cstring>

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include "modules/simd/kernels/activation-inl.h"
#include "modules/simd/kernels/elementwise.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace elementwise {
using DF = hn::ScalableTag<float>;
using DD = hn::ScalableTag<double>;
using DH = hn::Rebind<float, DD>;  // the floats that promote to one vector of doubles
constexpr std::size_t kMaxLanes = hn::MaxLanes(DF());

struct IdentityOp {
  template <class D, class V>
  HWY_INLINE V operator()(D, V x) const {
    return x;
  }
};
struct SigmoidOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return Sigmoid(d, x);
  }
};
struct TanhOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return hn::Tanh(d, x);
  }
};
struct ReluOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return Relu(d, x);
  }
};
// Highway's Exp is valid up to ~88.7 (and wraps past ~176): clamping at 89 still overflows
// to +inf, as std::exp does past ln(FLT_MAX) ≈ 88.72.
struct ExpOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return hn::Exp(d, hn::Min(hn::Set(d, 89.0f), x));
  }
};
struct SoftplusOp {
  template <class D, class V>
  HWY_INLINE V operator()(D d, V x) const {
    return Softplus(d, x);
  }
};

// y = op(x) over n floats; the tail goes through a padded buffer with the same vector code,
// so an element's result never depends on where a call starts or ends.
template <class Op>
HWY_INLINE void Map(const float* x, float* y, std::size_t n, Op op) {
  const DF d;
  const std::size_t lanes = hn::Lanes(d);
  const auto apply = [&](hn::Vec<DF> v) HWY_ATTR { return hn::IfThenElse(hn::IsNaN(v), v, op(d, v)); };
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(apply(hn::LoadU(d, x + i)), d, y + i);
  if (i == n) return;
  HWY_ALIGN float buffer[kMaxLanes] = {};
  std::memcpy(buffer, x + i, (n - i) * sizeof(float));
  hn::Store(apply(hn::Load(d, buffer)), d, buffer);
  std::memcpy(y + i, buffer, (n - i) * sizeof(float));
}
}  // namespace elementwise

HWY_NOINLINE void ActivationForwardImpl(Activation activation, const float* x, float* y, std::size_t n) {
  namespace e = elementwise;
  switch (activation) {
    case Activation::kIdentity: return e::Map(x, y, n, e::IdentityOp());
    case Activation::kSigmoid: return e::Map(x, y, n, e::SigmoidOp());
    case Activation::kTanh: return e::Map(x, y, n, e::TanhOp());
    case Activation::kRelu: return e::Map(x, y, n, e::ReluOp());
  }
}

// The tail goes through a padded buffer with the same vector code, so that no scalar expression
// can be contracted into an FMA.
HWY_NOINLINE void ActivationBackwardImpl(Activation activation, const float* y, const float* dy, float* dx,
                                         std::size_t n) {
  const elementwise::DF d;
  const auto step = [&](const float* yp, const float* dyp, float* dxp) HWY_ATTR {
    hn::StoreU(ActivateBackward(d, hn::LoadU(d, yp), hn::LoadU(d, dyp), activation), d, dxp);
  };
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) step(y + i, dy + i, dx + i);
  if (i == n) return;
  HWY_ALIGN float y_tail[elementwise::kMaxLanes] = {}, dy_tail[elementwise::kMaxLanes] = {},
                  dx_tail[elementwise::kMaxLanes] = {};
  std::memcpy(y_tail, y + i, (n - i) * sizeof(float));
  std::memcpy(dy_tail, dy + i, (n - i) * sizeof(float));
  step(y_tail, dy_tail, dx_tail);
  std::memcpy(dx + i, dx_tail, (n - i) * sizeof(float));
}

HWY_NOINLINE void UnaryMapImpl(UnaryOp op, const float* x, float* y, std::size_t n) {
  namespace e = elementwise;
  switch (op) {
    case UnaryOp::kExp: return e::Map(x, y, n, e::ExpOp());
    case UnaryOp::kSoftplus: return e::Map(x, y, n, e::SoftplusOp());
  }
}

HWY_NOINLINE void AxpyImpl(float alpha, const float* x, float* y, std::size_t n) {
  const elementwise::DF d;
  const std::size_t lanes = hn::Lanes(d);
  const auto a = hn::Set(d, alpha);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(hn::MulAdd(a, hn::LoadU(d, x + i), hn::LoadU(d, y + i)), d, y + i);
  if (i == n) return;
  HWY_ALIGN float bx[elementwise::kMaxLanes] = {};
  HWY_ALIGN float by[elementwise::kMaxLanes] = {};
  std::memcpy(bx, x + i, (n - i) * sizeof(float));
  std::memcpy(by, y + i, (n - i) * sizeof(float));
  hn::Store(hn::MulAdd(a, hn::Load(d, bx), hn::Load(d, by)), d, by);
  std::memcpy(y + i, by, (n - i) * sizeof(float));
}

// Strips of 8 double vectors (64 columns on AVX-512) walk down the rows with the sums in
// registers; leftover columns take one vector at a time, then scalars: all add in the same order.
HWY_NOINLINE void ColumnSumsImpl(const float* m, std::size_t rows, std::size_t cols, std::size_t stride, float* sums) {
  const elementwise::DD dd;
  const elementwise::DH dh;
  const std::size_t lanes = hn::Lanes(dd);
  constexpr std::size_t kStrip = 8;
  std::size_t j = 0;
  for (; j + kStrip * lanes <= cols; j += kStrip * lanes) {
    hn::Vec<elementwise::DD> acc[kStrip];
    for (auto& a : acc) a = hn::Zero(dd);
    const float* p = m + j;
    for (std::size_t i = 0; i < rows; ++i, p += stride)
      for (std::size_t k = 0; k < kStrip; ++k)
        acc[k] = hn::Add(acc[k], hn::PromoteTo(dd, hn::LoadU(dh, p + k * lanes)));
    for (std::size_t k = 0; k < kStrip; ++k) hn::StoreU(hn::DemoteTo(dh, acc[k]), dh, sums + j + k * lanes);
  }
  for (; j + lanes <= cols; j += lanes) {
    auto acc = hn::Zero(dd);
    const float* p = m + j;
    for (std::size_t i = 0; i < rows; ++i, p += stride) acc = hn::Add(acc, hn::PromoteTo(dd, hn::LoadU(dh, p)));
    hn::StoreU(hn::DemoteTo(dh, acc), dh, sums + j);
  }
  for (; j < cols; ++j) {
    double acc = 0.0;
    for (std::size_t i = 0; i < rows; ++i) acc += static_cast<double>(m[i * stride + j]);
    sums[j] = static_cast<float>(acc);
  }
}

HWY_NOINLINE double SumSquaredDifferenceImpl(const float* a, const float* b, std::size_t n) {
  const elementwise::DD dd;
  const elementwise::DH dh;
  const std::size_t lanes = hn::Lanes(dd);
  auto s0 = hn::Zero(dd), s1 = hn::Zero(dd), s2 = hn::Zero(dd), s3 = hn::Zero(dd);
  const auto diff = [&](std::size_t i) HWY_ATTR {
    return hn::Sub(hn::PromoteTo(dd, hn::LoadU(dh, a + i)), hn::PromoteTo(dd, hn::LoadU(dh, b + i)));
  };
  std::size_t i = 0;
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    const auto d0 = diff(i), d1 = diff(i + lanes), d2 = diff(i + 2 * lanes), d3 = diff(i + 3 * lanes);
    s0 = hn::MulAdd(d0, d0, s0);
    s1 = hn::MulAdd(d1, d1, s1);
    s2 = hn::MulAdd(d2, d2, s2);
    s3 = hn::MulAdd(d3, d3, s3);
  }
  for (; i + lanes <= n; i += lanes) {
    const auto d0 = diff(i);
    s0 = hn::MulAdd(d0, d0, s0);
  }
  double total = hn::GetLane(hn::SumOfLanes(dd, hn::Add(hn::Add(s0, s1), hn::Add(s2, s3))));
  for (; i < n; ++i) {
    const double e = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    total += e * e;
  }
  return total;
}

HWY_NOINLINE double SquaredErrorRowImpl(const float* x, const float* t, std::size_t n, double scale, float* g) {
  constexpr std::size_t kChains = 8;
  const elementwise::DD dd;
  const elementwise::DH dh;
  const std::size_t lanes = hn::Lanes(dd);
  static_assert(hn::MaxLanes(elementwise::DD()) <= kChains);
  using VD = hn::Vec<elementwise::DD>;
  const VD scale_v = hn::Set(dd, scale);
  VD chains[kChains];  // the first kChains / lanes hold the chains, lanes each
  for (VD& c : chains) c = hn::Zero(dd);
  std::size_t i = 0;
  for (; i + kChains <= n; i += kChains)
    for (std::size_t v = 0; v * lanes < kChains; ++v) {
      const std::size_t at = i + v * lanes;
      const VD d = hn::Sub(hn::PromoteTo(dd, hn::LoadU(dh, x + at)), hn::PromoteTo(dd, hn::LoadU(dh, t + at)));
      chains[v] = hn::Add(chains[v], hn::Mul(d, d));
      if (g != nullptr) hn::StoreU(hn::DemoteTo(dh, hn::Mul(hn::Add(d, d), scale_v)), dh, g + at);
    }
  HWY_ALIGN double partial[kChains];
  for (std::size_t v = 0; v * lanes < kChains; ++v) hn::Store(chains[v], dd, partial + v * lanes);
  double sum = 0.0;
  for (const double p : partial) sum += p;
  for (; i < n; ++i) {
    const double d = static_cast<double>(x[i]) - t[i];
    sum += d * d;
    if (g != nullptr) g[i] = static_cast<float>(2.0 * d * scale);
  }
  return sum;
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
