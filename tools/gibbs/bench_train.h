// What `gibbs bench rbm|mlp|cnn|autoencoder` time: `gibbs train` itself, the model from its
// plugin and the epochs from gibbs.train's runner, so that a benchmark figure is a training
// figure. The per-epoch scoring lies outside the timed region (history "seconds").
#pragma once

#include <filesystem>
#include <string>

#include "tools/gibbs/train.h"
import gibbs.plugin;
import gibbs.train;

namespace gibbs::cli {

// Trains `model` with `given` (options as `gibbs train` takes them; the rest default) into
// `output`, or into a temporary checkpoint removed afterwards when `output` is empty.
train::Report train_for_bench(const std::string& model, const Config& given, const std::filesystem::path& output);

}  // namespace gibbs::cli
