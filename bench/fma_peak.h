// A chain of independent FMAs that keeps every FMA pipe of one core busy: the machine's peak.
#pragma once

#include <cstdint>

namespace gibbs::bench {

// Runs `iterations` rounds of FMAs on the best Highway target; returns the flops done.
// `sink` receives a value that depends on every FMA, so none can be optimised away.
std::uint64_t FmaChain(std::uint64_t iterations, float* sink);

// Peak single-precision GFLOP/s with `threads` threads (best of a few short runs, oneTBB).
double measure_fma_peak_gflops(int threads);

}  // namespace gibbs::bench
