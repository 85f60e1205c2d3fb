// `gibbs bench <benchmark>`: measurements against peer libraries (built with GIBBS_BUILD_BENCH).
#include <array>

#include "tools/gibbs/command.h"
import gibbs.core;

namespace gibbs::cli {
#ifdef GIBBS_HAVE_BENCH
int bench_gemm(Args args);  // bench_gemm.cpp
int bench_rbm(Args args);   // bench_rbm.cpp
int bench_capacity(Args args);  // bench_capacity.cpp
int bench_mlp(Args args);   // bench_nn.cpp
int bench_cnn(Args args);
int bench_autoencoder(Args args);
#endif

namespace {

int bench(Args args) {
#ifdef GIBBS_HAVE_BENCH
  static constexpr std::array kBenchmarks = {
      Command{"capacity", "Perceptron capacity sweep (W8) against NumPy", bench_capacity},
      Command{"gemm", "SGEMM GFLOP/s (workload W1) against oneDNN, OpenBLAS and the FMA peak", bench_gemm},
      Command{"rbm", "RBM training and Gibbs sampling (W2, W4) against PyTorch and NumPy", bench_rbm},
      Command{"mlp", "MLP training, Adam, batch 64 (W5) against PyTorch", bench_mlp},
      Command{"cnn", "CNN training, Adam, batch 64 (W6) against PyTorch", bench_cnn},
      Command{"autoencoder", "autoencoder training, MSE, Adam, batch 64 (W7) against PyTorch", bench_autoencoder},
  };
  return dispatch("benchmark", "gibbs bench", kBenchmarks, "usage: gibbs bench <benchmark> [options]", args);
#else
  (void)args;
  throw Error("benchmarks were not built (configure with -DGIBBS_BUILD_BENCH=ON)");
#endif
}

const Registration registration{"bench", "Measure kernels against peer libraries and the machine's peak", bench};

}  // namespace
}  // namespace gibbs::cli
