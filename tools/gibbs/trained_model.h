// A checkpoint with its model restored by the plugin named in it: what eval, reconstruct and
// sample work on. Include it last (it imports gibbs.plugin).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/units.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;

namespace gibbs::cli {

// What the specs of the commands on a checkpoint share: CKPT, --data and --split.
inline constexpr Positional kCheckpoint{"checkpoint", "CKPT", "the checkpoint"};
Option data_option(const char* help = "the dataset (default: the one the model was trained on)");
Option split_option();

struct TrainedModel {
  io::Checkpoint checkpoint;
  PluginLibrary library;  // declared before model: the model is destroyed first
  ModelPtr model;
};

// Loads `path`, finds the plugin its `model` attribute names along the search path and restores
// the model. A checkpoint the plugin cannot use is a FormatError naming the file.
TrainedModel load_trained_model(const std::filesystem::path& path);

// The dataset to use: `given` (--data), else the one the model was trained on (its config), else
// none (named_dataset) or an ArgumentError (dataset_of).
std::optional<std::filesystem::path> named_dataset(const TrainedModel& trained, const std::string& given);
std::filesystem::path dataset_of(const TrainedModel& trained, const std::string& given);
// `given` (--split), else "test" when the file has it, else "train".
std::string split_of(const io::DatasetReader& reader, const std::string& given);
// Rows of the split, checked against the model's input width (a FormatError naming the file).
io::Batch read_rows(const io::DatasetReader& reader, const std::string& split, std::span<const std::size_t> rows,
                    const TrainedModel& trained);

}  // namespace gibbs::cli
