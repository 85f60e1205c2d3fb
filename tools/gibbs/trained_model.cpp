// Restoring a checkpoint's model through its plugin.
#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;

namespace gibbs::cli {

TrainedModel load_trained_model(const std::filesystem::path& path) {
  io::Checkpoint checkpoint = io::load_checkpoint(path);
  PluginLibrary library = load_plugin(checkpoint.model, plugin_search_path());
  ModelPtr model = library.create_model();
  try {
    model->restore(checkpoint);
  } catch (const FormatError&) {
    throw;
  } catch (const Error& e) {
    throw FormatError(path.string(), fmt::format("not a usable {} checkpoint: {}", checkpoint.model, e.what()));
  }
  return {std::move(checkpoint), std::move(library), std::move(model)};
}

}  // namespace gibbs::cli
