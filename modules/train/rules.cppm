// gibbs.train:rules — the small decisions around the epoch runner, each on its own: when the
// stopping metric has settled (--tol), when a checkpoint is due between epochs, and SIGINT.
module;
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
export module gibbs.train:rules;

export namespace gibbs::train {

// --tol: the last two values of the series differ by less than `tol` (never when tol is 0).
bool within_tolerance(std::span<const double> series, double tol);

// A checkpoint costs an fsync: between epochs, one is due once `interval` has passed since the
// last (the driver also saves after the last epoch and on every stop).
class SaveClock {
 public:
  explicit SaveClock(std::chrono::steady_clock::duration interval);
  bool due() const;
  void saved();

 private:
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point last_;
};
inline constexpr std::chrono::seconds kSaveInterval{30};

// While one lives, SIGINT and SIGTERM only set a flag (a second one stops at once, the last
// checkpoint intact): the driver then finishes the minibatch, saves and returns. SIGTERM is what
// mpirun sends every rank on Ctrl-C, and Slurm at a job's time limit.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  bool interrupted() const;

 private:
  void (*previous_interrupt_)(int);
  void (*previous_terminate_)(int);
};

// Tests stop a run at a chosen minibatch: GIBBS_TEST_INTERRUPT_AT_STEP=N raises SIGINT after
// step N (counted from 1).
std::optional<std::uint64_t> interrupt_test_step();
// And kill it there, as a crash would: GIBBS_TEST_KILL_AT_STEP=N raises SIGKILL after step N.
std::optional<std::uint64_t> kill_test_step();

}  // namespace gibbs::train
