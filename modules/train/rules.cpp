// gibbs.train:rules
module;
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
module gibbs.train;

namespace gibbs::train {
namespace {

volatile std::sig_atomic_t interrupt_flag = 0;

extern "C" void on_interrupt(int signal) {
  interrupt_flag = 1;
  std::signal(signal, SIG_DFL);
}

}  // namespace

bool within_tolerance(std::span<const double> series, double tol) {
  return tol > 0 && series.size() >= 2 && std::abs(series[series.size() - 1] - series[series.size() - 2]) < tol;
}

SaveClock::SaveClock(std::chrono::steady_clock::duration interval)
    : interval_(interval), last_(std::chrono::steady_clock::now()) {}

bool SaveClock::due() const { return std::chrono::steady_clock::now() - last_ >= interval_; }

void SaveClock::saved() { last_ = std::chrono::steady_clock::now(); }

InterruptGuard::InterruptGuard()
    : previous_interrupt_(std::signal(SIGINT, on_interrupt)), previous_terminate_(std::signal(SIGTERM, on_interrupt)) {
  interrupt_flag = 0;
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, previous_interrupt_);
  std::signal(SIGTERM, previous_terminate_);
}

bool InterruptGuard::interrupted() const { return interrupt_flag != 0; }

namespace {
std::optional<std::uint64_t> step_from_environment(const char* variable) {
  const char* text = std::getenv(variable);
  if (text == nullptr) return std::nullopt;
  return std::strtoull(text, nullptr, 10);
}
}  // namespace

std::optional<std::uint64_t> interrupt_test_step() { return step_from_environment("GIBBS_TEST_INTERRUPT_AT_STEP"); }
std::optional<std::uint64_t> kill_test_step() { return step_from_environment("GIBBS_TEST_KILL_AT_STEP"); }

}  // namespace gibbs::train
