// gibbs.core:memory — one atomic count of the bytes held, against a budget.
module;
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
module gibbs.core;

namespace gibbs {
namespace {

std::size_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::numeric_limits<std::size_t>::max();
  return static_cast<std::size_t>(pages) * static_cast<std::size_t>(page);
}

std::atomic<std::size_t>& budget() {
  static std::atomic<std::size_t> bytes{physical_memory() / 4 * 3};
  return bytes;
}

std::atomic<std::size_t> in_use{0};

}  // namespace

std::size_t memory_budget() { return budget().load(); }
void set_memory_budget(std::size_t bytes) { budget().store(bytes); }
std::size_t memory_in_use() { return in_use.load(); }

std::size_t memory_available() {
  const std::size_t budget = memory_budget(), used = memory_in_use();
  return used < budget ? budget - used : 0;
}

std::size_t parse_memory_limit(const std::string& text) {
  const auto bad = [&] {
    return ArgumentError(fmt::format(
        "--memory-limit: must be a size such as 12G, 512M or 1000000 (bytes), or a share such as 50%, got '{}'", text));
  };
  std::uint64_t number = 0;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, number);
  if (ec != std::errc() || number == 0) throw bad();
  const std::string unit(rest, end);
  if (unit == "%") {
    if (number > 100) throw bad();
    return static_cast<std::size_t>(static_cast<double>(physical_memory()) * static_cast<double>(number) / 100.0);
  }
  const int shift = unit.empty() ? 0 : unit == "K" ? 10 : unit == "M" ? 20 : unit == "G" ? 30 : unit == "T" ? 40 : -1;
  if (shift < 0 || number > (std::numeric_limits<std::size_t>::max() >> shift)) throw bad();
  return static_cast<std::size_t>(number) << shift;
}

bool reserve_memory(std::size_t bytes) {
  const std::size_t limit = memory_budget();
  std::size_t held = in_use.load();
  do {
    if (bytes > limit || held > limit - bytes) return false;
  } while (!in_use.compare_exchange_weak(held, held + bytes));
  return true;
}

void release_memory(std::size_t bytes) { in_use.fetch_sub(bytes); }

void* allocate_aligned(std::size_t alignment, std::size_t bytes) {
  // First touching a large matrix (a dataset's 188 MB of floats) faults in a page at a time; in
  // huge pages that is 512 times fewer faults, which cost most in a virtual machine.
  constexpr std::size_t kHugePage = std::size_t{2} << 20, kLarge = 4 * kHugePage;
  if (bytes < kLarge || alignment > kHugePage) return std::aligned_alloc(alignment, bytes);
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (p != nullptr) ::madvise(p, rounded, MADV_HUGEPAGE);
  return p;
}

}  // namespace gibbs
