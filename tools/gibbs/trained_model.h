// A checkpoint with its model restored by the plugin named in it: what eval, reconstruct and
// sample work on. Include it last (it imports gibbs.plugin).
#pragma once

#include <filesystem>
import gibbs.io;
import gibbs.plugin;

namespace gibbs::cli {

struct TrainedModel {
  io::Checkpoint checkpoint;
  PluginLibrary library;  // declared before model: the model is destroyed first
  ModelPtr model;
};

// Loads `path`, finds the plugin its `model` attribute names along the search path and restores
// the model. A checkpoint the plugin cannot use is a FormatError naming the file.
TrainedModel load_trained_model(const std::filesystem::path& path);

}  // namespace gibbs::cli
