// `gibbs bench <benchmark>`: measurements against peer libraries (built with GIBBS_BUILD_BENCH).
#include "tools/gibbs/command.h"
import gibbs.core;

namespace gibbs::cli {
namespace {

constexpr const char* kSummary = "Measure kernels against peer libraries and the machine's peak";

#ifdef GIBBS_HAVE_BENCH
const CommandSpec kBench{
    .path = "bench",
    .summary = kSummary,
    .usage = {"gibbs bench <benchmark> [options]"},
    .subcommand = "benchmark",
};
const Registration registration{kBench};  // its benchmarks register from their own files
#else
int bench(Args) { throw Error("benchmarks were not built (configure with -DGIBBS_BUILD_BENCH=ON)"); }
const Registration registration{CommandSpec{.path = "bench", .summary = kSummary, .usage = {"gibbs bench"}}, bench};
#endif

}  // namespace
}  // namespace gibbs::cli
