// `gibbs bench <benchmark>`: measurements against peer libraries (built with GIBBS_BUILD_BENCH).
#include "tools/gibbs/command.h"
import gibbs.core;

namespace gibbs::cli {
#ifdef GIBBS_HAVE_BENCH
int bench_rbm(Args args);  // bench_rbm.cpp
int bench_mlp(Args args);  // bench_nn.cpp
int bench_cnn(Args args);
int bench_autoencoder(Args args);
#endif

namespace {

constexpr const char* kSummary = "Measure kernels against peer libraries and the machine's peak";

#ifdef GIBBS_HAVE_BENCH
const CommandSpec kBench{
    .path = "bench",
    .summary = kSummary,
    .usage = {"gibbs bench <benchmark> [options]"},
    .subcommand = "benchmark",
};
// bench_rbm.cpp and bench_nn.cpp parse their own arguments.
const Registration registrations[] = {
    Registration{kBench},
    {"bench rbm", "RBM training and Gibbs sampling (W2, W4) against PyTorch and NumPy", bench_rbm},
    {"bench mlp", "MLP training, Adam, batch 64 (W5) against PyTorch", bench_mlp},
    {"bench cnn", "CNN training, Adam, batch 64 (W6) against PyTorch", bench_cnn},
    {"bench autoencoder", "autoencoder training, MSE, Adam, batch 64 (W7) against PyTorch", bench_autoencoder},
};
#else
int bench(Args) { throw Error("benchmarks were not built (configure with -DGIBBS_BUILD_BENCH=ON)"); }
const Registration registration{"bench", kSummary, bench};
#endif

}  // namespace
}  // namespace gibbs::cli
