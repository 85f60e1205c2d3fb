// Which Highway targets were compiled and which one runs; tests and benchmarks pin one.
module;
#include <cstdint>
#include <string>
#include <vector>
export module gibbs.simd:targets;

export namespace gibbs::simd {

struct Target {
  std::int64_t id;
  std::string name;  // e.g. "AVX3_DL", "AVX2"
};

// Compiled targets this CPU supports, best first.
std::vector<Target> available_targets();

// The target the kernels dispatch to now.
Target current_target();

// While alive, the kernels run on `target` (which must be available) instead of the best.
class ScopedTarget {
 public:
  explicit ScopedTarget(const Target& target);
  ~ScopedTarget();
  ScopedTarget(const ScopedTarget&) = delete;
  ScopedTarget& operator=(const ScopedTarget&) = delete;
};

}  // namespace gibbs::simd
