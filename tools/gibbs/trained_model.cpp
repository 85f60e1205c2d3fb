// Restoring a checkpoint's model through its plugin.
#include <fmt/format.h>

#include <charconv>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.train;

namespace gibbs::cli {

std::vector<std::size_t> parse_units(const std::string& text, const std::string& what, std::size_t limit) {
  std::vector<std::size_t> units;
  std::string_view rest = text;
  const auto bad = [&] {
    return ArgumentError(fmt::format("{} '{}' is not a list of units such as 0,1 or 0-391", what, text));
  };
  const auto number = [](std::string_view s, std::size_t& out) {
    return !s.empty() && std::from_chars(s.data(), s.data() + s.size(), out).ptr == s.data() + s.size();
  };
  while (!rest.empty()) {
    const std::string_view part = rest.substr(0, rest.find(','));
    rest = part.size() < rest.size() ? rest.substr(part.size() + 1) : std::string_view{};
    const std::size_t dash = part.find('-');
    std::size_t first = 0, last = 0;
    if (!number(part.substr(0, dash), first)) throw bad();
    last = first;
    if (dash != std::string_view::npos && (!number(part.substr(dash + 1), last) || last < first)) throw bad();
    if (last >= limit)
      throw ArgumentError(
          fmt::format("{} '{}' names unit {}, and there are {} (0 to {})", what, text, last, limit, limit - 1));
    for (std::size_t u = first; u <= last; ++u) units.push_back(u);
  }
  if (units.empty()) throw bad();
  return units;
}

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
