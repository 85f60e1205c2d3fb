// One libFuzzer target: LLVMFuzzerTestOneInput calls the entry GIBBS_FUZZ_TARGET names
// (fuzz/CMakeLists.txt builds this file once per entry).
#include <cstddef>
#include <cstdint>

#include "fuzz/entries.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return gibbs::fuzz::GIBBS_FUZZ_TARGET(data, size);
}
