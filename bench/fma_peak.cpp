// The FMA peak on `threads` threads: every thread runs the same FMA chain at once (oneTBB).
#include "bench/fma_peak.h"

#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <vector>

namespace gibbs::bench {
namespace {
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
}  // namespace

double measure_fma_peak_gflops(int threads) {
  threads = std::max(threads, 1);
  // Iterations for about 20 ms on one thread, from a short calibration run.
  float sink = 0;
  std::uint64_t iterations = 1 << 16;
  for (;;) {
    const auto start = Clock::now();
    FmaChain(iterations, &sink);
    const double s = seconds_since(start);
    if (s > 2e-3) {
      iterations = static_cast<std::uint64_t>(iterations * 0.02 / s) + 1;
      break;
    }
    iterations *= 4;
  }
  tbb::task_arena arena(threads);
  std::vector<float> sinks(static_cast<std::size_t>(threads) * 16);  // one cache line each
  double best = 0;
  for (int run = 0; run < 11; ++run) {  // the first run wakes the workers; best of 10
    std::atomic<std::uint64_t> flops{0};
    const auto start = Clock::now();
    arena.execute([&] {
      tbb::parallel_for(
          0, threads, [&](int t) { flops += FmaChain(iterations, &sinks[static_cast<std::size_t>(t) * 16]); },
          tbb::simple_partitioner());
    });
    const double gflops = static_cast<double>(flops) / seconds_since(start) * 1e-9;
    if (run > 0) best = std::max(best, gflops);
  }
  return best;
}

}  // namespace gibbs::bench
