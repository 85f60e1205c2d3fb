// Peer SGEMM libraries (oneDNN, OpenBLAS) loaded at run time with dlopen, so a missing
// library is reported and skipped instead of failing the build or the whole benchmark.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace gibbs::bench {

// Why a peer could not be loaded or configured.
class PeerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Row-major C = alpha·op(A)·op(B) + beta·C, with op(A) M×K and op(B) K×N.
struct Sgemm {
  bool transpose_a = false;
  bool transpose_b = false;
  std::int64_t m = 0, n = 0, k = 0;
  float alpha = 1.0f;
  const float* a = nullptr;
  std::int64_t lda = 0;
  const float* b = nullptr;
  std::int64_t ldb = 0;
  float beta = 0.0f;
  float* c = nullptr;
  std::int64_t ldc = 0;
};

class Peer {
 public:
  virtual ~Peer() = default;
  virtual std::string name() const = 0;         // "onednn", "openblas"
  virtual std::string description() const = 0;  // library path, version, threading, kernels
  virtual void set_threads(int threads) = 0;
  virtual void sgemm(const Sgemm& problem) = 0;
};

// The widest instructions the peers may use, named by the SIMD target gibbs runs on (gibbs
// --simd): AVX-512 targets leave them at their best (OpenBLAS's SkylakeX kernels), AVX2 holds
// oneDNN to AVX2 and OpenBLAS to its Haswell kernels, older targets to SSE4.1 and Nehalem.
struct PeerIsa {
  const char* openblas_core;
  const char* onednn_max_isa;  // ONEDNN_MAX_CPU_ISA, or null for its best
};
PeerIsa peer_isa_for(const std::string& simd_target);

// Each throws PeerError saying why the peer is unavailable. The ISA must be the same for every
// peer loaded in a process: both libraries read it once.
std::unique_ptr<Peer> load_onednn(const PeerIsa& isa);
std::unique_ptr<Peer> load_openblas(const PeerIsa& isa);

// Every peer that loads; `unavailable` receives "<peer>: <why>" for each one that does not.
std::vector<std::unique_ptr<Peer>> load_peers(const PeerIsa& isa, std::vector<std::string>& unavailable);

}  // namespace gibbs::bench
