// FmaChain, compiled once per Highway target: many independent accumulators, because one
// core retires two FMAs per cycle with a latency of 4 (Zen 5), so at least 8 must be in flight.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "bench/fma_peak.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "bench/fma_peak.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::bench::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// 32 vector registers under AVX-512, 16 below: leave room for the two constants.
constexpr std::size_t kAccumulators = HWY_TARGET <= HWY_AVX3 ? 16 : 12;

template <std::size_t... I>
std::uint64_t Chain(std::uint64_t iterations, float* sink, std::index_sequence<I...>) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const V mul = hn::Set(d, 0.999999f);  // a contraction: values stay finite and normal
  const V add = hn::Set(d, 1e-3f);
  V acc[kAccumulators] = {hn::Set(d, static_cast<float>(I))...};
  for (std::uint64_t i = 0; i < iterations; ++i) ((acc[I] = hn::MulAdd(acc[I], mul, add)), ...);
  V sum = hn::Zero(d);
  ((sum = hn::Add(sum, acc[I])), ...);
  *sink = hn::GetLane(hn::SumOfLanes(d, sum));
  return iterations * kAccumulators * hn::Lanes(d) * 2;
}

std::uint64_t FmaChainImpl(std::uint64_t iterations, float* sink) {
  return Chain(iterations, sink, std::make_index_sequence<kAccumulators>());
}

}  // namespace gibbs::bench::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace gibbs::bench {
HWY_EXPORT(FmaChainImpl);

std::uint64_t FmaChain(std::uint64_t iterations, float* sink) {
  return HWY_DYNAMIC_DISPATCH(FmaChainImpl)(iterations, sink);
}
}  // namespace gibbs::bench
#endif
