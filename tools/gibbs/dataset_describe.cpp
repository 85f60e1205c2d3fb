// Describing a gibbs dataset file, shared by `gibbs data info` and `gibbs inspect`: every value is
// read in blocks and checked on the way; the output is text (aligned) or one JSON object.
#include "tools/gibbs/dataset_describe.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tools/gibbs/json.h"
import gibbs.core;
import gibbs.io;

namespace gibbs::cli {
namespace {

struct SplitSummary {
  io::SplitInfo info;
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  std::vector<std::size_t> histogram;  // per class, when labelled
  float t_min = 0, t_max = 0;          // regression targets, when the split has them
};

// Reads the whole split in blocks: the value range, the label histogram, and every value checked.
SplitSummary summarise(const io::DatasetReader& reader, const io::SplitInfo& s) {
  SplitSummary summary{s, {}, {}, {}, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()};
  constexpr std::size_t kBlock = 4096;
  for (std::size_t first = 0; first < s.rows; first += kBlock) {
    const io::Batch b = reader.read_range(s.name, first, std::min(kBlock, s.rows - first));
    for (float v : b.x.values()) summary.min = std::min(summary.min, v), summary.max = std::max(summary.max, v);
    for (float t : b.t) summary.t_min = std::min(summary.t_min, t), summary.t_max = std::max(summary.t_max, t);
    for (std::int32_t y : b.y) {
      if (summary.histogram.size() <= static_cast<std::size_t>(y))
        summary.histogram.resize(static_cast<std::size_t>(y) + 1);
      ++summary.histogram[static_cast<std::size_t>(y)];
    }
  }
  if (s.labelled) summary.histogram.resize(std::max(summary.histogram.size(), reader.info().classes.size()));
  if (s.rows == 0) summary.min = summary.max = 0;
  if (s.rows == 0 || !s.has_targets) summary.t_min = summary.t_max = 0;
  return summary;
}

std::string dtype(const io::SplitInfo& s) { return s.encoding == io::Encoding::uint8 ? "uint8" : "float32"; }

void print_text(const io::DatasetReader& reader, const std::vector<SplitSummary>& splits) {
  const io::DatasetInfo& info = reader.info();
  fmt::print("{}: gibbs-dataset, format_version {}\n", reader.path().string(), reader.format_version());
  fmt::print("  source        {}\n", info.source.empty() ? "-" : info.source);
  fmt::print("  sample_shape  [{}]\n", fmt::join(info.sample_shape, ", "));
  fmt::print("  classes       {}{}{}\n", info.classes.size(), info.classes.empty() ? "" : ": ",
             fmt::join(info.classes, ", "));
  for (const SplitSummary& s : splits) {
    const std::string scale = s.info.encoding == io::Encoding::uint8 ? fmt::format(" (scale {:g})", s.info.scale) : "";
    fmt::print("  {:<12}  {} x {} {}{}, values [{:g}, {:g}]\n", s.info.name, s.info.rows, s.info.cols, dtype(s.info),
               scale, s.min, s.max);
    if (s.info.has_targets) fmt::print("  {:<12}  targets t: float32, values [{:g}, {:g}]\n", "", s.t_min, s.t_max);
    if (!s.info.labelled) {
      fmt::print("  {:<12}  unlabelled\n", "");
      continue;
    }
    std::vector<std::string> counts;
    for (std::size_t k = 0; k < s.histogram.size(); ++k)
      counts.push_back(
          fmt::format("{}={}", k < info.classes.size() ? info.classes[k] : std::to_string(k), s.histogram[k]));
    fmt::print("  {:<12}  labels: {}\n", "", fmt::join(counts, ", "));
  }
}

void print_json(const io::DatasetReader& reader, const std::vector<SplitSummary>& splits) {
  const io::DatasetInfo& info = reader.info();
  std::vector<std::string> classes, parts;
  for (const std::string& c : info.classes) classes.push_back(json_string(c));
  for (const SplitSummary& s : splits)
    parts.push_back(fmt::format(
        R"({{"name": {}, "rows": {}, "cols": {}, "dtype": "{}", "scale": {}, "min": {}, "max": {}, "labelled": {}, "label_counts": [{}], )"
        R"("targets": {}, "target_min": {}, "target_max": {}}})",
        json_string(s.info.name), s.info.rows, s.info.cols, dtype(s.info), s.info.scale, s.min, s.max, s.info.labelled,
        fmt::join(s.histogram, ", "), s.info.has_targets, s.t_min, s.t_max));
  fmt::print(R"({{"file": {}, "format": "gibbs-dataset", "format_version": {}, "source": {}, "sample_shape": [{}], )"
             R"("classes": [{}], "splits": [{}]}})"
             "\n",
             json_string(reader.path().string()), reader.format_version(), json_string(info.source),
             fmt::join(info.sample_shape, ", "), fmt::join(classes, ", "), fmt::join(parts, ", "));
}

}  // namespace

void describe_dataset(const std::filesystem::path& file, bool json) {
  const io::DatasetReader reader(file);
  std::vector<SplitSummary> splits;
  for (const io::SplitInfo& s : reader.splits()) splits.push_back(summarise(reader, s));
  if (json)
    print_json(reader, splits);
  else
    print_text(reader, splits);
}

}  // namespace gibbs::cli
