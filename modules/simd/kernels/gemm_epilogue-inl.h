// Per-target pieces shared by the GEMM kernels: partial loads and stores, and the
// epilogue that turns an accumulator into C (alpha, beta, bias, activation).
#if defined(GIBBS_SIMD_GEMM_EPILOGUE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_SIMD_GEMM_EPILOGUE_INL_H_
#undef GIBBS_SIMD_GEMM_EPILOGUE_INL_H_
#else
#define GIBBS_SIMD_GEMM_EPILOGUE_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstring>

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include "modules/simd/kernels/activation-inl.h"
#include "modules/simd/kernels/gemm.h"
#include "modules/simd/kernels/masked-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;
constexpr std::size_t kLanes = hn::MaxLanes(DF());
// Vector registers the tiles may fill: 32 from AVX-512 on, 16 on AVX2 and older.
constexpr std::size_t kVectorRegisters = HWY_TARGET <= HWY_AVX3 ? 32 : 16;

// Loads count (< kLanes) floats, the rest zero, without touching memory past them. Targets
// without masked::kNative go through a buffer (their emulated masked store would rewrite memory
// past the end).
HWY_INLINE VF LoadPartial(DF d, const float* p, std::size_t count) {
  if constexpr (masked::kNative) {
    return hn::MaskedLoad(hn::FirstN(d, count), d, p);
  } else {
    HWY_ALIGN float buffer[kLanes] = {};
    std::memcpy(buffer, p, count * sizeof(float));
    return hn::Load(d, buffer);
  }
}

HWY_INLINE void StorePartial(DF d, VF v, float* p, std::size_t count) {
  if constexpr (masked::kNative) {
    hn::BlendedStore(v, hn::FirstN(d, count), d, p);
  } else {
    HWY_ALIGN float buffer[kLanes];
    hn::Store(v, d, buffer);
    std::memcpy(p, buffer, count * sizeof(float));
  }
}

// What the epilogue of one K pass does to a tile.
struct PassEpilogue {
  PassEpilogue(const GemmProblem& p, bool first, bool last)
      : alpha(p.alpha),
        beta(p.beta),
        first_pass(first),
        column_bias(last ? p.column_bias : nullptr),
        activation(last ? p.activation : Activation::kIdentity),
        store_only(alpha == 1.0f && first && beta == 0.0f),
        finish(column_bias != nullptr || activation != Activation::kIdentity),
        in_registers(finish && (activation == Activation::kIdentity || activation == Activation::kRelu)) {}
  float alpha;
  float beta;  // scales C on the first pass; later passes add to C
  bool first_pass;
  const float* column_bias;  // added after the last pass only
  Activation activation;     // applied after the last pass only
  bool store_only;           // C = acc: nothing to read or scale
  bool finish;               // a bias or an activation is to be applied
  // The tile kernel applies them to the accumulators as it stores them (a bias, a ReLU: an
  // operation a vector); others take FinishTile's pass over the stored tile.
  bool in_registers;
};

// alpha·x (+ beta·C, or + C after the first pass), for the vector of C at out (count valid lanes).
HWY_INLINE VF Combine(DF d, VF x, const float* out, std::size_t count, const PassEpilogue& e) {
  if (e.alpha != 1.0f) x = hn::Mul(x, hn::Set(d, e.alpha));
  if (!e.first_pass || e.beta != 0.0f) {
    const VF old = count == kLanes ? hn::LoadU(d, out) : LoadPartial(d, out, count);
    x = e.first_pass ? hn::MulAdd(hn::Set(d, e.beta), old, x) : hn::Add(old, x);
  }
  return x;
}

HWY_INLINE void StoreCount(DF d, VF x, float* out, std::size_t count) {
  if (count == kLanes) {
    hn::StoreU(x, d, out);
  } else {
    StorePartial(d, x, out, count);
  }
}

// One vector of C at out (count valid lanes) = alpha·x (+ beta·C, or + C after the first pass).
HWY_INLINE void StoreVector(DF d, VF x, float* out, std::size_t count, const PassEpilogue& e) {
  StoreCount(d, Combine(d, x, out, count, e), out, count);
}

// As StoreVector, then the bias and ReLU where the epilogue takes them in registers: the same
// operations, in the same order, as FinishTile on the stored value.
HWY_INLINE void StoreFinishedVector(DF d, VF x, VF bias, float* out, std::size_t count, const PassEpilogue& e) {
  x = Combine(d, x, out, count, e);
  if (e.in_registers) {
    x = hn::Add(x, bias);
    if (e.activation == Activation::kRelu) x = Relu(d, x);
  }
  StoreCount(d, x, out, count);
}

// The register tile: kRows × kVectors accumulators. Every index below is a template
// argument, so the compiler keeps all of them in registers (a runtime index, or a lambda,
// which Highway's per-target attributes do not reach, would send them to the stack).
template <std::size_t kRows, std::size_t kVectors>
struct Accumulators {
  VF v[kRows * kVectors];
};

template <std::size_t kRows, std::size_t kVectors, std::size_t kVector, std::size_t kRow = 0>
HWY_INLINE void StoreColumn(DF d, const Accumulators<kRows, kVectors>& acc, float* HWY_RESTRICT c, std::size_t ldc,
                            std::size_t count, VF bias, const PassEpilogue& e) {
  if constexpr (kRow < kRows) {
    StoreFinishedVector(d, acc.v[kRow * kVectors + kVector], bias, c + kRow * ldc, count, e);
    StoreColumn<kRows, kVectors, kVector, kRow + 1>(d, acc, c, ldc, count, bias, e);
  }
}

template <std::size_t kRows, std::size_t kVectors, std::size_t kI = 0>
HWY_INLINE void StoreFullTile(DF d, const Accumulators<kRows, kVectors>& acc, float* HWY_RESTRICT c, std::size_t ldc) {
  if constexpr (kI < kRows * kVectors) {
    hn::StoreU(acc.v[kI], d, c + (kI / kVectors) * ldc + (kI % kVectors) * kLanes);
    StoreFullTile<kRows, kVectors, kI + 1>(d, acc, c, ldc);
  }
}

// The tile into C; a bias (null: none) and activation where the epilogue takes them in registers.
template <std::size_t kRows, std::size_t kVectors, std::size_t kVector = 0>
HWY_INLINE void StoreTile(DF d, const Accumulators<kRows, kVectors>& acc, float* HWY_RESTRICT c, std::size_t ldc,
                          std::size_t width, const float* bias, const PassEpilogue& e) {
  if constexpr (kVector == 0) {
    if (e.store_only && !e.in_registers && width == kVectors * kLanes) return StoreFullTile(d, acc, c, ldc);
  }
  if constexpr (kVector < kVectors) {
    const std::size_t col = kVector * kLanes;
    if (col >= width) return;
    const std::size_t count = std::min(kLanes, width - col);
    VF bias_vector = hn::Zero(d);
    if (e.in_registers && bias != nullptr)
      bias_vector = count == kLanes ? hn::LoadU(d, bias + col) : LoadPartial(d, bias + col, count);
    StoreColumn<kRows, kVectors, kVector>(d, acc, c + col, ldc, count, bias_vector, e);
    StoreTile<kRows, kVectors, kVector + 1>(d, acc, c, ldc, width, bias, e);
  }
}

// C[rows, width] = activation(C + bias), on a tile just written (still in L1). Not inlined:
// one copy of the activation code per target, instead of one per accumulator of every tile
// shape (which made this file take minutes to compile).
HWY_NOINLINE void FinishTile(float* HWY_RESTRICT c, std::size_t ldc, std::size_t rows, std::size_t width,
                             const float* bias, Activation activation) {
  const DF d;
  for (std::size_t col = 0; col < width; col += kLanes) {
    const std::size_t count = std::min(kLanes, width - col);
    VF b = hn::Zero(d);
    if (bias != nullptr) b = count == kLanes ? hn::LoadU(d, bias + col) : LoadPartial(d, bias + col, count);
    for (std::size_t r = 0; r < rows; ++r) {
      float* out = c + r * ldc + col;
      const VF x =
          Activate(d, hn::Add(count == kLanes ? hn::LoadU(d, out) : LoadPartial(d, out, count), b), activation);
      if (count == kLanes) {
        hn::StoreU(x, d, out);
      } else {
        StorePartial(d, x, out, count);
      }
    }
  }
}

// The tile into C with the whole epilogue: StoreTile, then FinishTile for an activation that
// does not go in registers.
template <std::size_t kRows, std::size_t kVectors>
HWY_INLINE void WriteTile(DF d, const Accumulators<kRows, kVectors>& acc, float* HWY_RESTRICT c, std::size_t ldc,
                          std::size_t width, const float* bias, const PassEpilogue& e) {
  StoreTile<kRows, kVectors>(d, acc, c, ldc, width, bias, e);
  if (e.finish && !e.in_registers) FinishTile(c, ldc, kRows, width, bias, e.activation);
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
