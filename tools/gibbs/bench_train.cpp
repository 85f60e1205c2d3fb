// Benchmarks train through `gibbs train`'s own path.
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <sstream>
#include <string>

#include "tools/gibbs/bench_train.h"
#include "tools/gibbs/plugin_options.h"
import gibbs.core;

namespace fs = std::filesystem;

namespace gibbs::cli {

train::Report train_for_bench(const std::string& model, const Config& given, const fs::path& output) {
  const PluginLibrary plugin = load_plugin(model, plugin_search_path());
  const ModelPtr instance = plugin.create_model();
  const fs::path path =
      output.empty() ? fs::temp_directory_path() / fmt::format("gibbs-bench-{}-{}.h5", model, ::getpid()) : output;
  train::Run run{*instance, plugin.name(), plugin.version(), complete_config(plugin, given, nullptr), path, {}, {}};
  std::ostringstream log;
  struct Remove {
    fs::path path;
    ~Remove() {
      std::error_code ignored;
      if (!path.empty()) fs::remove(path, ignored);
    }
  } const remove{output.empty() ? path : fs::path()};
  return train::train(run, log);
}

double training_gflops(const train::Report& report, std::size_t rows, double seconds) {
  if (report.multiply_adds_per_row <= 0) return NAN;
  return 2 * report.multiply_adds_per_row * static_cast<double>(rows) / seconds / 1e9;
}

void print_peak_note(int threads, double peak) {
  fmt::print(
      "GFLOP/s: the GEMMs' multiply-adds of an epoch, x2, over its seconds; %peak: of the FMA peak "
      "measured on {} threads, {:.1f} GFLOP/s\n",
      threads, peak);
}

}  // namespace gibbs::cli
