// oneTBB's global_control behind gibbs::set_thread_count.
module;
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>
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
  return static_cast<int>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

int hardware_threads() { return tbb::info::default_concurrency(); }

}  // namespace gibbs
