// What `gibbs bench rbm|mlp|cnn|autoencoder` time: `gibbs train` itself, the model from its
// plugin and the epochs from gibbs.train's runner, so that a benchmark figure is a training
// figure. The per-epoch scoring lies outside the timed region (history "seconds").
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "tools/gibbs/train.h"
import gibbs.plugin;
import gibbs.train;

namespace gibbs::cli {

// Trains `model` with `given` (options as `gibbs train` takes them; the rest default) into
// `output`, or into a temporary checkpoint removed afterwards when `output` is empty.
train::Report train_for_bench(const std::string& model, const Config& given, const std::filesystem::path& output);

// GFLOP/s of an epoch of `rows` rows that took `seconds`: 2 × the report's multiply-adds a row
// over them; NaN when the model does not count its multiply-adds.
double training_gflops(const train::Report& report, std::size_t rows, double seconds);

// The line under a benchmark's table that says what GFLOP/s and %peak mean, with the FMA peak.
void print_peak_note(int threads, double peak);

}  // namespace gibbs::cli
