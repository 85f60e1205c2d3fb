// `gibbs bench gemm`: gibbs::simd::gemm against oneDNN and OpenBLAS (workload W1) and the
// machine's FMA peak; one table row, or one JSON line, per shape. Checks results against the peers.
#include <fmt/format.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "bench/fma_peak.h"
#include "bench/peers.h"
#include "tools/gibbs/command.h"
#include "tools/gibbs/json.h"
import gibbs.core;
import gibbs.simd;

namespace gibbs::cli {
namespace {
namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

constexpr double kWarmupSeconds = 0.15;  // outlasts a previous peer's spinning idle threads (OpenBLAS: ~0.1 s)
constexpr double kSampleSeconds = 0.02;
constexpr double kPeakDrift = 0.1;   // FMA peak before vs after, beyond which the run was disturbed
constexpr double kTolerance = 1e-4;  // max |C - C_peer| relative to max |C_peer|

struct GemmShape {
  std::size_t m = 0, k = 0, n = 0;
  bool ta = false, tb = false;
  std::string trans() const { return std::string(ta ? "T" : "N") + (tb ? "T" : "N"); }
  double flops() const { return 2.0 * double(m) * double(k) * double(n); }
};

const std::vector<GemmShape> kDefaultShapes = {
    {128, 784, 500},
    {128, 500, 784},
    {784, 128, 500},
    {20, 784, 500},
    {2048, 2048, 2048},
    {20, 784, 500, false, true},
    {784, 20, 500, true, false},
};

// "M,K,N" or "M,K,N,TA,TB" with TA, TB one of 0, 1, N, T.
GemmShape parse_shape(const std::string& text) {
  std::vector<std::string> parts(1);
  for (char ch : text) {
    if (ch == ',')
      parts.emplace_back();
    else
      parts.back().push_back(ch);
  }
  const auto bad = [&] {
    return ArgumentError("--shape '" + text + "': expected M,K,N or M,K,N,TA,TB (TA, TB: 0/1 or N/T)");
  };
  if (parts.size() != 3 && parts.size() != 5) throw bad();
  std::size_t dims[3];
  for (int i = 0; i < 3; ++i) {
    std::size_t used = 0;
    try {
      dims[i] = std::stoul(parts[i], &used);
    } catch (const std::exception&) {
      throw bad();
    }
    if (used != parts[i].size() || dims[i] == 0 || dims[i] > 65536) throw bad();
  }
  GemmShape shape{dims[0], dims[1], dims[2]};
  if (parts.size() == 5) {
    const auto flag = [&](const std::string& p) {
      if (p == "0" || p == "N" || p == "n") return false;
      if (p == "1" || p == "T" || p == "t") return true;
      throw bad();
    };
    shape.ta = flag(parts[3]);
    shape.tb = flag(parts[4]);
  }
  return shape;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Median GFLOP/s over `repeat` samples of enough calls to last kSampleSeconds, after warm-up.
template <class F>
double median_gflops(F&& call, double flops, int repeat) {
  double fastest = INFINITY, warm = 0;
  for (int calls = 0; calls < 2 || warm < kWarmupSeconds; ++calls) {
    const auto start = Clock::now();
    call();
    const double s = seconds_since(start);
    fastest = std::min(fastest, s);
    warm += s;
  }
  const auto iterations = static_cast<int>(std::max(1.0, std::ceil(kSampleSeconds / fastest)));
  std::vector<double> samples;
  for (int r = 0; r < repeat; ++r) {
    const auto start = Clock::now();
    for (int i = 0; i < iterations; ++i) call();
    samples.push_back(flops * iterations / seconds_since(start) * 1e-9);
  }
  std::ranges::sort(samples);
  const std::size_t mid = samples.size() / 2;
  return samples.size() % 2 ? samples[mid] : 0.5 * (samples[mid - 1] + samples[mid]);
}

double max_relative_diff(const Matrix<float>& c, const Matrix<float>& reference) {
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const double d = std::abs(double(c.data()[i]) - reference.data()[i]);
    diff = std::isnan(d) ? INFINITY : std::max(diff, d);
    scale = std::max(scale, double(std::abs(reference.data()[i])));
  }
  return diff / std::max(scale, 1e-30);
}

struct PeerResult {
  std::string name;
  std::optional<double> gflops;  // empty: the peer failed
  int threads = 0;
  double rel_diff = 0;
};

Matrix<float> random_matrix(std::size_t rows, std::size_t cols, std::mt19937& rng) {
  Matrix<float> m(rows, cols);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (float& v : m.values()) v = u(rng);
  return m;
}

// The best of the peer's thread counts: `threads`, and 1 as well when threads == 2 (OpenBLAS
// SkylakeX runs batch 20 faster on one thread than on two).
PeerResult run_peer(bench::Peer& peer, const GemmShape& s, const Matrix<float>& a, const Matrix<float>& b,
                    const Matrix<float>& c_gibbs, int threads, int repeat) {
  PeerResult result;
  result.name = peer.name();
  Matrix<float> c(s.m, s.n);
  const bench::Sgemm problem{s.ta, s.tb,     std::int64_t(s.m),      std::int64_t(s.n), std::int64_t(s.k),
                             1.0f, a.data(), std::int64_t(a.cols()), b.data(),          std::int64_t(b.cols()),
                             0.0f, c.data(), std::int64_t(c.cols())};
  try {
    for (int t : threads == 2 ? std::vector{2, 1} : std::vector{threads}) {
      peer.set_threads(t);
      const double gflops = median_gflops([&] { peer.sgemm(problem); }, s.flops(), repeat);
      if (!result.gflops || gflops > *result.gflops) result.gflops = gflops, result.threads = t;
    }
  } catch (const bench::PeerError& e) {
    fmt::print(stderr, "peer failed: {}: {}\n", peer.name(), e.what());
    result.gflops.reset();
    return result;
  }
  result.rel_diff = max_relative_diff(c_gibbs, c);
  if (!(result.rel_diff <= kTolerance))
    fmt::print(stderr, "warning: gibbs and {} disagree on {}x{}x{} {}: max |diff| / max |C| = {:.3g}\n", peer.name(),
               s.m, s.k, s.n, s.trans(), result.rel_diff);
  return result;
}

void print_json(const GemmShape& s, int threads, const std::string& target, std::optional<double> ones, double gflops,
                double peak, const std::vector<PeerResult>& peers, const PeerResult* best) {
  std::string line = fmt::format(R"({{"workload":"W1","shape":[{},{},{}],"trans":"{}","threads":{},"target":"{}",)",
                                 s.m, s.k, s.n, s.trans(), threads, target);
  line += fmt::format(R"("ones":{},)", ones ? json_number(*ones) : "null");
  if (ones) {
    const simd::BinaryBounds bounds = simd::binary_bounds();
    line += fmt::format(R"("binary_bounds":{{"in_place":{},"packed":{}}},)", json_number(bounds.in_place),
                        json_number(bounds.packed));
  }
  line += fmt::format(R"("gflops":{},"peak_gflops":{},)", json_number(gflops), json_number(peak));
  if (best != nullptr)
    line += fmt::format(R"("peer":"{}","peer_gflops":{},"peer_threads":{},"ratio":{})", best->name,
                        json_number(*best->gflops), best->threads, json_number(gflops / *best->gflops));
  else
    line += R"("peer":null,"peer_gflops":null,"peer_threads":null,"ratio":null)";
  std::optional<double> worst;  // over the peers that ran; null when none did
  for (const PeerResult& p : peers) {
    line += fmt::format(R"(,"{}_gflops":{},"{}_threads":{})", p.name, p.gflops ? json_number(*p.gflops) : "null",
                        p.name, p.threads);
    if (p.gflops) worst = std::max(worst.value_or(0.0), p.rel_diff);
  }
  const bool agree = worst && *worst <= kTolerance;
  const std::string diff = worst ? json_number(*worst) : "null";
  line += fmt::format(R"(,"max_rel_diff":{},"agree":{}}})", diff, worst ? (agree ? "true" : "false") : "null");
  fmt::print("{}\n", line);
}

void print_row(const GemmShape& s, double gflops, double peak, const std::vector<PeerResult>& peers,
               const PeerResult* best) {
  std::string row =
      fmt::format("{:>6} {:>6} {:>6}  {}  {:>8.1f} {:>6.1f}%", s.m, s.k, s.n, s.trans(), gflops, 100 * gflops / peak);
  for (const PeerResult& p : peers)
    row +=
        p.gflops ? fmt::format(" {:>9.1f}{}", *p.gflops, p.threads == 1 ? "*" : " ") : fmt::format(" {:>10}", "failed");
  row += best ? fmt::format("  {:<9} {:>5.2f}", best->name, gflops / *best->gflops)
              : fmt::format("  {:<9} {:>5}", "-", "-");
  fmt::print("{}\n", row);
}

const CommandSpec kSpec{
    .path = "bench gemm",
    .summary = "SGEMM GFLOP/s (workload W1) against oneDNN, OpenBLAS and the FMA peak",
    .usage = {"gibbs bench gemm [--shape M,K,N[,TA,TB] ...] [--ones P] [--threads N] [--repeat R] [--json]"},
    .options =
        {
            {"shape", value<std::vector<std::string>>("M,K,N[,TA,TB]")->multitoken(),
             "C[M×N] = op(A)[M×K]·op(B)[K×N]; TA, TB: 0/1 or N/T (repeatable; default: the W1 shapes)"},
            {"ones", value<double>("P"),
             "A of zeros and ones, a share P of them ones (an RBM's samples), which gibbs is told "
             "(GemmOptions::a_binary) and the peers multiply as any A; GFLOP/s count the dense product"},
            {"repeat", value<int>("R", 7), "timed samples per measurement (median)"},
            {"json", "one JSON line per shape instead of a table"},
        },
    .threads = "threads for gibbs and the peers (default: the global --threads)",
};

int bench_gemm(const po::variables_map& vm) {
  const int repeat = vm["repeat"].as<int>();
  if (repeat < 1) throw ArgumentError("--repeat must be at least 1, got " + std::to_string(repeat));
  std::vector<GemmShape> shapes = kDefaultShapes;
  if (vm.contains("shape")) {
    shapes.clear();
    for (const std::string& text : vm["shape"].as<std::vector<std::string>>()) shapes.push_back(parse_shape(text));
  }
  const int threads = thread_count();
  const bool json = vm.contains("json");
  const std::optional<double> ones = vm.contains("ones") ? std::optional(vm["ones"].as<double>()) : std::nullopt;
  if (ones && !(*ones >= 0 && *ones <= 1))
    throw ArgumentError(fmt::format("--ones {}: a share of ones, from 0 to 1", *ones));

  std::vector<std::string> unavailable;
  const std::string target = simd::current_target().name;
  const auto peers = bench::load_peers(bench::peer_isa_for(target), unavailable);
  for (const std::string& why : unavailable) fmt::print(stderr, "peer unavailable: {}\n", why);
  // Under `gibbs --simd`, the peak is the pinned target's, which peers held no lower than SSE4.1 may pass.
  const bool pinned = simd::current_target().id != simd::available_targets().front().id;
  const double peak = bench::measure_fma_peak_gflops(threads);
  if (!json) {
    fmt::print("gibbs bench gemm: target {}{}, {} threads, FMA peak {:.1f} GFLOP/s; median of {} samples of >= {} ms\n",
               target, pinned ? " (--simd)" : "", threads, peak, repeat, kSampleSeconds * 1e3);
    if (ones) {
      const simd::BinaryBounds bounds = simd::binary_bounds();
      fmt::print(
          "  A: zeros and ones, {} of them ones; gibbs skips the zeros up to {:.2f} ones with B in place, {:.2f} "
          "packed (measured on this CPU), and its GFLOP/s count the dense product\n",
          *ones, bounds.in_place, bounds.packed);
    }
    for (const auto& peer : peers) fmt::print("  {}: {}\n", peer->name(), peer->description());
    std::string header = fmt::format("{:>6} {:>6} {:>6}  op  {:>8} {:>7}", "M", "K", "N", "gibbs", "%peak");
    for (const auto& peer : peers) header += fmt::format(" {:>10}", peer->name());
    fmt::print("{}  {:<9} {:>5}\n", header, "best peer", "ratio");
    std::fflush(stdout);
  }

  std::mt19937 rng(42);
  double fastest_share = 0;  // of the peak, by gibbs or (on the best target) a peer
  for (const GemmShape& s : shapes) {
    Matrix<float> a = s.ta ? random_matrix(s.k, s.m, rng) : random_matrix(s.m, s.k, rng);
    if (ones)
      for (float& v : a.values()) v = (v + 1.0f) / 2.0f < *ones ? 1.0f : 0.0f;
    const Matrix<float> b = s.tb ? random_matrix(s.n, s.k, rng) : random_matrix(s.k, s.n, rng);
    Matrix<float> c(s.m, s.n);
    const simd::GemmOptions gemm_options{.transpose_a = s.ta, .transpose_b = s.tb, .a_binary = ones.has_value()};
    const double gflops = median_gflops([&] { simd::gemm(a, b, c, gemm_options); }, s.flops(), repeat);

    std::vector<PeerResult> results;
    const PeerResult* best = nullptr;
    for (const auto& peer : peers) results.push_back(run_peer(*peer, s, a, b, c, threads, repeat));
    for (const PeerResult& r : results)
      if (r.gflops && (best == nullptr || *r.gflops > *best->gflops)) best = &r;
    json ? print_json(s, threads, target, ones, gflops, peak, results, best)
         : print_row(s, gflops, peak, results, best);
    std::fflush(stdout);
    // With --ones, gibbs does only part of the multiply-adds its GFLOP/s count: the check against
    // the peak leaves it out.
    const double checked_gflops = ones ? 0.0 : gflops;
    fastest_share =
        std::max(fastest_share, std::max(checked_gflops, best != nullptr && !pinned ? *best->gflops : 0.0) / peak);
  }
  if (!json && !peers.empty() && threads == 2) fmt::print("* the peer was faster on 1 thread than on 2\n");
  // Other work on the machine skews every figure; say so rather than print them as if clean.
  std::fflush(stdout);
  const double peak_after = bench::measure_fma_peak_gflops(threads);
  if (std::abs(peak_after - peak) > kPeakDrift * peak || fastest_share > 1 + kPeakDrift)
    fmt::print(stderr,
               "warning: the machine was busy: the FMA peak measured {:.1f} GFLOP/s before and {:.1f} after{}; "
               "these figures are unreliable (run again on an idle machine)\n",
               peak, peak_after, fastest_share > 1 + kPeakDrift ? ", and a result exceeded it" : "");
  return 0;
}

const Registration registration{kSpec, bench_gemm};

}  // namespace
}  // namespace gibbs::cli
