// oneTBB's global_control behind gibbs::set_thread_count.
module;
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
module gibbs.core;

namespace gibbs {
namespace {
std::mutex control_mutex;
std::unique_ptr<tbb::global_control> control;
}  // namespace

void set_thread_count(int count) {
  if (count < 0) throw ArgumentError("thread count must be 0 (all cores) or positive, got " + std::to_string(count));
  std::lock_guard lock(control_mutex);
  control.reset();
  if (count > 0)
    control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                    static_cast<std::size_t>(count));
}

int thread_count() {
  if (tbb::this_task_arena::max_concurrency() == 1) return 1;  // inside an arena of one
  return static_cast<int>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

void for_row_groups(std::size_t rows, std::size_t min_rows, RangeBody body) {
  const auto groups = static_cast<std::size_t>(std::max(1, thread_count()));
  if (groups == 1 || rows < groups * std::max<std::size_t>(min_rows, 1)) return body(0, rows);
  tbb::parallel_for(
      std::size_t{0}, groups,
      [&](std::size_t g) {
        thread_local tbb::task_arena alone(1);
        alone.execute([&] { body(rows * g / groups, rows * (g + 1) / groups); });
      },
      tbb::static_partitioner());
}

void for_element_groups(std::size_t elements, RangeBody body) {
  constexpr std::size_t kElementsPerGroup = 16384;
  for_row_groups(elements, kElementsPerGroup, body);
}

void for_serial_tasks(std::size_t count, RangeBody body) {
  if (count <= 1 || thread_count() == 1) {
    for (std::size_t t = 0; t < count; ++t) body(t, t + 1);
    return;
  }
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, count, 1),
      [&](const tbb::blocked_range<std::size_t>& r) {
        thread_local tbb::task_arena alone(1);
        alone.execute([&] {
          for (std::size_t t = r.begin(); t < r.end(); ++t) body(t, t + 1);
        });
      },
      tbb::simple_partitioner());
}

int hardware_threads() { return tbb::info::default_concurrency(); }

}  // namespace gibbs
