// Restoring a checkpoint's model through its plugin.
#include <fmt/format.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.train;

namespace gibbs::cli {

Option data_option(const char* help) { return {"data", value<std::string>("FILE", ""), help}; }

Option split_option() {
  return {"split", value<std::string>("NAME", ""), "the split (default: test if present, else train)"};
}

TrainedModel load_trained_model(const std::filesystem::path& path) {
  io::Checkpoint checkpoint = io::load_checkpoint(path);
  PluginLibrary library = load_plugin(checkpoint.model, plugin_search_path());
  ModelPtr model = library.create_model();
  try {
    model->restore(checkpoint, train::setup_of(checkpoint));
  } catch (const FormatError&) {
    throw;
  } catch (const Error& e) {
    throw FormatError(path.string(), fmt::format("not a usable {} checkpoint: {}", checkpoint.model, e.what()));
  }
  return {std::move(checkpoint), std::move(library), std::move(model)};
}

std::optional<std::filesystem::path> named_dataset(const TrainedModel& trained, const std::string& given) {
  if (!given.empty()) return given;
  const auto it = trained.checkpoint.config.find("data");
  if (it == trained.checkpoint.config.end() || !std::holds_alternative<std::string>(it->second)) return std::nullopt;
  return std::get<std::string>(it->second);
}

std::filesystem::path dataset_of(const TrainedModel& trained, const std::string& given) {
  const std::optional<std::filesystem::path> dataset = named_dataset(trained, given);
  if (!dataset) throw ArgumentError("--data FILE is required (the checkpoint does not name its training data)");
  return *dataset;
}

std::string split_of(const io::DatasetReader& reader, const std::string& given) {
  if (!given.empty()) {
    if (!reader.has_split(given)) throw FormatError(reader.path().string(), fmt::format("no split '{}'", given));
    return given;
  }
  return reader.has_split("test") ? "test" : "train";
}

io::Batch read_rows(const io::DatasetReader& reader, const std::string& split, std::span<const std::size_t> rows,
                    const TrainedModel& trained) {
  const std::size_t cols = reader.split(split).cols, width = trained.model->input_size();
  if (cols != width)
    throw FormatError(reader.path().string(), fmt::format("rows of {} values, but the {} model in {} takes {}", cols,
                                                          trained.checkpoint.model, "the checkpoint", width));
  return reader.read(split, rows);
}

}  // namespace gibbs::cli
