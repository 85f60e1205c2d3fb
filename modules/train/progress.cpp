// gibbs.train:progress
module;
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
module gibbs.train;

namespace gibbs::train {

ProgressLine::ProgressLine(bool terminal) : terminal_(terminal) {}

ProgressLine::~ProgressLine() { clear(); }

void ProgressLine::update(std::uint64_t epoch, std::uint64_t epochs, std::size_t batch, std::size_t batches,
                          double images_per_second, double eta_seconds, double error) {
  if (!terminal_) return;
  const auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < std::chrono::milliseconds(200) && batch != batches) return;
  last_ = now;
  std::string line = fmt::format("epoch {}/{}  batch {}/{}", epoch, epochs, batch, batches);
  if (images_per_second > 0)
    line += fmt::format("  {:.0f} img/s  ETA {}", images_per_second, format_duration(eta_seconds));
  if (std::isfinite(error)) line += fmt::format("  error {:.6g}", error);
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
  shown_ = false;
}

std::string format_duration(double seconds) {
  const auto total = static_cast<long long>(std::llround(std::max(seconds, 0.0)));
  if (total >= 3600) return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
  return fmt::format("{}:{:02}", total / 60, total % 60);
}

}  // namespace gibbs::train
