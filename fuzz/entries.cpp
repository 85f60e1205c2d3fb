// The table of fuzz entries and the guard every entry runs its body in.
#include "fuzz/entries.h"

#include <array>
#include <cstddef>
#include <functional>
#include <span>
import gibbs.core;

namespace gibbs::fuzz {

std::span<const Target> targets() {
  static constexpr std::array<Target, 12> kTargets = {{
      {"idx", fuzz_idx},
      {"csv", fuzz_csv},
      {"json", fuzz_json},
      {"dataset", fuzz_dataset},
      {"checkpoint", fuzz_checkpoint},
      {"arch", fuzz_arch},
      {"layers", fuzz_layers},
      {"schedule", fuzz_schedule},
      {"dbn_layer", fuzz_dbn_layer},
      {"clamp", fuzz_clamp},
      {"plugin_file", fuzz_plugin_file},
      {"plugin_descriptor", fuzz_plugin_descriptor},
  }};
  return kTargets;
}

int guarded(const std::function<void()>& body) {
  static const bool budget = (set_memory_budget(std::size_t{1} << 28), true);
  (void)budget;
  try {
    body();
  } catch (const Error&) {
    // The answer to bad input.
  }
  return 0;
}

}  // namespace gibbs::fuzz
