// gibbs.simd:activation — the activations that the kernels apply (GEMM epilogues, the elementwise
// functions, the nn layers' backward), one enum for all: the kernels' own.
module;
#include <string_view>
#include "modules/simd/kernels/activation.h"
export module gibbs.simd:activation;

export namespace gibbs::simd {

// kIdentity, kSigmoid, kTanh, kRelu: each one's forward and backward are in
// modules/simd/kernels/activation.h.
using Activation = kernels::Activation;

// "identity", "sigmoid", "tanh", "relu": the elementwise function's name and the --arch token.
constexpr std::string_view to_string(Activation activation) {
  switch (activation) {
    case Activation::kIdentity: return "identity";
    case Activation::kSigmoid: return "sigmoid";
    case Activation::kTanh: return "tanh";
    case Activation::kRelu: return "relu";
  }
  return "?";
}

}  // namespace gibbs::simd
