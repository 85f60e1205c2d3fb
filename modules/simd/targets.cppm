// Which Highway targets were compiled and which one runs; tests and benchmarks pin one.
module;
#include <cstdint>
#include <string>
#include <string_view>
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

// From now on the kernels run on the available target called `name` (any case), for the whole
// process (`gibbs --simd`); throws ArgumentError naming the available ones if there is none.
void use_target(std::string_view name);

// While alive, the kernels run on `target` (which must be available) instead of the best.
class ScopedTarget {
 public:
  explicit ScopedTarget(const Target& target);
  ~ScopedTarget();
  ScopedTarget(const ScopedTarget&) = delete;
  ScopedTarget& operator=(const ScopedTarget&) = delete;
};

}  // namespace gibbs::simd
