// gibbs.core:memory — the memory budget: how many bytes of matrices the process may hold at once
// (--memory-limit), so that a size read from a file or an option is refused with one line before
// the machine runs out, instead of ending in std::bad_alloc or the OOM killer.
module;
#include <cstddef>
#include <string>
export module gibbs.core:memory;

export namespace gibbs {

// The budget in bytes; by default three quarters of the machine's physical memory.
std::size_t memory_budget();
void set_memory_budget(std::size_t bytes);
// "12G", "512M", "4096K", "1000000" (bytes) or "50%" (of physical memory): bytes; ArgumentError
// "--memory-limit: ..." otherwise.
std::size_t parse_memory_limit(const std::string& text);
// Bytes of matrices held now.
std::size_t memory_in_use();
// Bytes the budget has room for now (0 when more than the budget is held).
std::size_t memory_available();

// Counts `bytes` as held, or returns false (counting nothing) when the budget has no room for them.
bool reserve_memory(std::size_t bytes);
void release_memory(std::size_t bytes);

// Storage for a matrix of `bytes` bytes (a multiple of `alignment`), aligned so, or null; freed by
// std::free. A large one starts on a 2 MiB boundary and asks the kernel for huge pages.
void* allocate_aligned(std::size_t alignment, std::size_t bytes);

}  // namespace gibbs
