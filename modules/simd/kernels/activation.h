// The activations of gibbs's kernels, one enum for all: GEMM epilogues, the elementwise maps
// and the backward passes (no Highway types). gibbs.simd exports it as gibbs::simd::Activation.
#pragma once

namespace gibbs::kernels {

// Forward y = f(x), and backward dx from y and dy (activation-inl.h has both side by side):
//   identity  y = x                 dx = dy
//   sigmoid   y = 1/(1 + e⁻ˣ)        dx = (dy·y)·(1 − y)
//   tanh      y = tanh x            dx = dy·(1 − y·y)
//   relu      y = max(x, 0)         dx = dy where y > 0, else 0
enum class Activation : int { kIdentity = 0, kSigmoid, kTanh, kRelu };

}  // namespace gibbs::kernels
