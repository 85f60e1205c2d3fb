// The peers, each run at its best: oneDNN with its OpenMP (or TBB) thread count set to
// match, OpenBLAS (pthreads build) with the AVX-512 SkylakeX kernels whatever the environment says;
// both held to AVX2 or SSE4.1 instead when gibbs runs on such a target.
#include "bench/peers.h"

#include <tbb/global_control.h>

#include <climits>
#include <cstdlib>
#include <optional>
import gibbs.core;

namespace gibbs::bench {
namespace {

class OneDnn final : public Peer {
  struct Version {  // dnnl_version_t
    int major, minor, patch;
    const char* hash;
    unsigned cpu_runtime, gpu_runtime;
  };
  static constexpr unsigned kRuntimeOmp = 2, kRuntimeTbb = 4;  // DNNL_RUNTIME_*
  using SgemmFn = int (*)(char, char, std::int64_t, std::int64_t, std::int64_t, float, const float*, std::int64_t,
                          const float*, std::int64_t, float, float*, std::int64_t);

 public:
  explicit OneDnn(const PeerIsa& isa) : library_(open_held_to(isa)), sgemm_(library_.function<SgemmFn>("dnnl_sgemm")) {
    const auto* version = library_.function<const Version* (*)()>("dnnl_version")();
    runtime_ = version->cpu_runtime;
    description_ = "libdnnl " + std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
                   std::to_string(version->patch) + " (" + library_.path() + "), ";
    if (runtime_ == kRuntimeOmp) {
      // libdnnl brought its OpenMP runtime in; find it without loading another one.
      openmp_ = SharedLibrary::open_first({"libgomp.so.1", "libiomp5.so", "libomp.so.5", "libomp.so"},
                                          SharedLibrary::Mode::already_loaded);
      omp_set_num_threads_ = openmp_.function<void (*)(int)>("omp_set_num_threads");
      description_ += "OpenMP threads (" + openmp_.path() + ")";
    } else if (runtime_ == kRuntimeTbb) {
      description_ += "oneTBB threads";
    } else {
      description_ += "CPU runtime " + std::to_string(runtime_) + " (thread count not set)";
    }
    if (isa.onednn_max_isa != nullptr) description_ += std::string(", held to ") + isa.onednn_max_isa;
  }
  std::string name() const override { return "onednn"; }
  std::string description() const override { return description_; }
  void set_threads(int threads) override {
    // OpenMP's nthreads ICV belongs to the calling thread, the one that calls sgemm.
    if (omp_set_num_threads_ != nullptr) omp_set_num_threads_(threads);
    if (runtime_ == kRuntimeTbb)
      tbb_limit_.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  }
  void sgemm(const Sgemm& p) override {
    const int status = sgemm_(p.transpose_a ? 'T' : 'N', p.transpose_b ? 'T' : 'N', p.m, p.n, p.k, p.alpha, p.a, p.lda,
                              p.b, p.ldb, p.beta, p.c, p.ldc);
    if (status != 0) throw PeerError("dnnl_sgemm failed with status " + std::to_string(status));
  }

 private:
  // oneDNN reads ONEDNN_MAX_CPU_ISA once, at its first call.
  static SharedLibrary open_held_to(const PeerIsa& isa) {
    if (isa.onednn_max_isa != nullptr) setenv("ONEDNN_MAX_CPU_ISA", isa.onednn_max_isa, 1);
    return SharedLibrary::open_first({"libdnnl.so.2", "/usr/lib/x86_64-linux-gnu/libdnnl.so.2"});
  }

  SharedLibrary library_;
  SharedLibrary openmp_;
  SgemmFn sgemm_;
  void (*omp_set_num_threads_)(int) = nullptr;
  unsigned runtime_ = 0;
  std::optional<tbb::global_control> tbb_limit_;
  std::string description_;
};

class OpenBlas final : public Peer {
  static constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;  // CBLAS enums
  using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*,
                           int);

 public:
  explicit OpenBlas(const PeerIsa& isa) : library_(open_with_core(isa.openblas_core)) {
    sgemm_ = library_.function<SgemmFn>("cblas_sgemm");
    set_num_threads_ = library_.function<void (*)(int)>("openblas_set_num_threads");
    const std::string config = library_.function<char* (*)()>("openblas_get_config")();
    const std::string core = library_.function<char* (*)()>("openblas_get_corename")();
    description_ = config + " (" + library_.path() + "), kernels " + core;
    if (core != isa.openblas_core)
      description_ += std::string(" (WARNING: not ") + isa.openblas_core + "; was libopenblas already loaded?)";
  }
  std::string name() const override { return "openblas"; }
  std::string description() const override { return description_; }
  void set_threads(int threads) override { set_num_threads_(threads); }
  void sgemm(const Sgemm& p) override {
    for (std::int64_t v : {p.m, p.n, p.k, p.lda, p.ldb, p.ldc})
      if (v > INT_MAX) throw PeerError("openblas: dimension too large for 32-bit BLAS");
    sgemm_(kRowMajor, p.transpose_a ? kTrans : kNoTrans, p.transpose_b ? kTrans : kNoTrans, int(p.m), int(p.n),
           int(p.k), p.alpha, p.a, int(p.lda), p.b, int(p.ldb), p.beta, p.c, int(p.ldc));
  }

 private:
  // OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded; the environment here may
  // force other kernels. Prefer the pthreads build over the libblas alternative.
  static SharedLibrary open_with_core(const char* core) {
    const char* old = std::getenv("OPENBLAS_CORETYPE");
    const std::optional<std::string> saved = old != nullptr ? std::optional<std::string>(old) : std::nullopt;
    setenv("OPENBLAS_CORETYPE", core, 1);
    struct Restore {
      const std::optional<std::string>& saved;
      ~Restore() { saved ? setenv("OPENBLAS_CORETYPE", saved->c_str(), 1) : unsetenv("OPENBLAS_CORETYPE"); }
    } restore{saved};
    return SharedLibrary::open_first(
        {"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0", "libopenblas.so.0"});
  }

  SharedLibrary library_;
  SgemmFn sgemm_ = nullptr;
  void (*set_num_threads_)(int) = nullptr;
  std::string description_;
};

// A library or symbol that is not there makes the peer unavailable.
template <class P>
std::unique_ptr<Peer> load(const PeerIsa& isa) {
  try {
    return std::make_unique<P>(isa);
  } catch (const LibraryError& e) {
    throw PeerError(e.what());
  }
}

}  // namespace

PeerIsa peer_isa_for(const std::string& simd_target) {
  if (simd_target.starts_with("AVX3")) return {"SkylakeX", nullptr};
  if (simd_target == "AVX2") return {"Haswell", "AVX2"};
  return {"Nehalem", "SSE41"};  // SSE4 and older: neither peer goes below SSE4.1
}

std::unique_ptr<Peer> load_onednn(const PeerIsa& isa) { return load<OneDnn>(isa); }
std::unique_ptr<Peer> load_openblas(const PeerIsa& isa) { return load<OpenBlas>(isa); }

std::vector<std::unique_ptr<Peer>> load_peers(const PeerIsa& isa, std::vector<std::string>& unavailable) {
  std::vector<std::unique_ptr<Peer>> peers;
  using Load = std::unique_ptr<Peer> (*)(const PeerIsa&);
  for (auto [name, load] : {std::pair<const char*, Load>{"onednn", load_onednn}, {"openblas", load_openblas}}) {
    try {
      peers.push_back(load(isa));
    } catch (const PeerError& e) {
      unavailable.push_back(std::string(name) + ": " + e.what());
    }
  }
  return peers;
}

}  // namespace gibbs::bench
