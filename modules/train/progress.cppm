// gibbs.train:progress — the live progress line on a terminal.
module;
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
export module gibbs.train:progress;

export namespace gibbs::train {

// "epoch 3/10  batch 120/469  40,123 img/s  ETA 0:42  error 0.0123", redrawn on stderr at
// most five times a second; nothing at all when stderr is not a terminal.
class ProgressLine {
 public:
  explicit ProgressLine(bool terminal);
  ~ProgressLine();
  void update(std::uint64_t epoch, std::uint64_t epochs, std::size_t batch, std::size_t batches,
              double images_per_second, double eta_seconds, double error);
  void clear();  // before a plain line is printed

 private:
  bool terminal_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

// "1:02:03" or "2:03".
std::string format_duration(double seconds);

}  // namespace gibbs::train
