// A prefetch of a line that is about to be written.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gibbs::kernels {

// Asks for the line holding p to be owned by this core. A store into a line the other core has
// read otherwise costs two trips between the cores, one to read the line and one to take it
// away from the other; a plain prefetch saves only the first. PREFETCHW is on every x86-64 core
// gibbs runs on (Intel executes it as a no-op before Broadwell); like any prefetch, it never faults.
inline void PrefetchToWrite(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 1, 3);
#endif
}

// Every line that holds one of the floats [p, p + count), and no other: a line of a neighbour's
// block, which another thread may be writing, is left alone.
inline void PrefetchLinesToWrite(const float* p, std::size_t count) {
  constexpr std::uintptr_t kLine = 64;
  const std::uintptr_t end = reinterpret_cast<std::uintptr_t>(p + count);
  for (std::uintptr_t line = reinterpret_cast<std::uintptr_t>(p) & ~(kLine - 1); line < end; line += kLine)
    PrefetchToWrite(reinterpret_cast<const void*>(line));
}

}  // namespace gibbs::kernels
