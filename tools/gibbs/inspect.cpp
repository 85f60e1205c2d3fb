// `gibbs inspect FILE [--json]` and `gibbs inspect A --diff B [--json]`: what a checkpoint holds
// (attributes, hyper-parameters, parameter statistics, state, history) or what a dataset holds
// (the same as `gibbs data info`), and how two checkpoints differ. Exit 0, 1 (differ) or 2.
// --curves, --filters, --boundary and --codes write pictures instead (inspect_pictures.cpp,
// inspect_boundary.cpp, inspect_codes.cpp).
#include "tools/gibbs/inspect.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/dataset_describe.h"
#include "tools/gibbs/inspect_config.h"
#include "tools/gibbs/json.h"
import gibbs.core;
import gibbs.io;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace gibbs::cli {

TensorStats tensor_stats(std::span<const float> values) {
  constexpr float kNone = std::numeric_limits<float>::quiet_NaN();
  TensorStats s{kNone, kNone, kNone, kNone, 0};
  double sum = 0;
  std::size_t n = 0;
  for (const float v : values) {
    if (std::isnan(v)) {
      ++s.nan;
      continue;
    }
    s.min = n == 0 ? v : std::min(s.min, v);
    s.max = n == 0 ? v : std::max(s.max, v);
    sum += v, ++n;
  }
  if (n == 0) return s;
  s.mean = sum / static_cast<double>(n);
  double squares = 0;  // a second pass: no cancellation when the mean is large
  for (const float v : values)
    if (!std::isnan(v)) squares += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(squares / static_cast<double>(n));
  return s;
}

namespace {

struct FileKind {
  std::string format;
  std::int64_t version = 0;
};

// The root `format` attribute says what the file is; HDF5 without one is no gibbs file. The
// untrusted-file child rehearses this and the reader that follows.
FileKind file_kind(const fs::path& path) {
  io::h5::preflight(path, [&path] {
    const FileKind kind = file_kind(path);
    if (kind.format == io::kCheckpointFormat) io::load_checkpoint(path);
    if (kind.format == io::kDatasetFormat) return io::DatasetReader(path).read_every_way();
    return std::vector<std::string>{};
  });
  const io::h5::File file = io::h5::File::open(path);
  const io::h5::Group root = file.root();
  if (!root.has_attribute("format")) throw FormatError(path.string(), "not a gibbs file (no 'format' attribute)");
  FileKind kind{root.string_attribute("format"), 0};
  if (root.has_attribute("format_version")) kind.version = root.int_attribute("format_version");
  return kind;
}

std::string shape_text(const std::vector<std::size_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

std::string config_json(const io::ConfigValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return json_string(*s);
  if (const auto* d = std::get_if<double>(&value)) return json_number(*d);
  return std::to_string(std::get<std::int64_t>(value));
}

// Rows of cells printed in left-aligned columns, indented by two spaces.
void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.resize(i + 1);
      width[i] = std::max(width[i], row[i].size());
    }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i)
      line += fmt::format("  {:<{}}", row[i], i + 1 < row.size() ? width[i] : 0);
    fmt::print("{}\n", line);
  }
}

std::string count(std::size_t n, const char* noun) { return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s"); }

std::string g(double v) { return std::isnan(v) ? "-" : fmt::format("{:.6g}", v); }

void print_text(const fs::path& path, std::int64_t version, const io::Checkpoint& c) {
  fmt::print("{}: gibbs-checkpoint, format_version {}\n", path.string(), version);
  print_table({{"model", c.model},
               {"plugin_version", c.plugin_version},
               {"engine_version", c.engine_version},
               {"simd_target", c.simd_target.empty() ? "(not recorded)" : c.simd_target},
               {"created", c.created},
               {"seed", std::to_string(c.seed)}});
  const ConfigSection config = config_section(c);
  fmt::print("config ({}){}\n", count(c.config.size(), "hyper-parameter"),
             config.note.empty() ? "" : fmt::format("; {}", config.note));
  print_table(config.rows);
  std::vector<std::vector<std::string>> rows;
  fmt::print("params ({})\n", count(c.params.size(), "tensor"));
  rows = {{"name", "shape", "min", "max", "mean", "std", "nan"}};
  for (const auto& [name, t] : c.params) {
    const TensorStats s = tensor_stats(t.values);
    rows.push_back({name, shape_text(t.shape), g(s.min), g(s.max), g(s.mean), g(s.std), std::to_string(s.nan)});
  }
  if (!c.params.empty()) print_table(rows);
  fmt::print("state ({}, {})\n", count(c.state.size(), "tensor"), count(c.counters.size(), "counter"));
  rows.clear();
  for (const auto& [name, t] : c.state) rows.push_back({name, shape_text(t.shape)});
  for (const auto& [name, v] : c.counters) rows.push_back({name, fmt::format("counter {}", v)});
  print_table(rows);
  fmt::print("history ({})\n", count(c.history.size(), "metric"));
  rows = {{"metric", "length", "first", "last"}};
  for (const auto& [name, v] : c.history)
    rows.push_back({name, std::to_string(v.size()), v.empty() ? "-" : g(v.front()), v.empty() ? "-" : g(v.back())});
  if (!c.history.empty()) print_table(rows);
}

void print_json(const fs::path& path, std::int64_t version, const io::Checkpoint& c) {
  std::vector<std::string> config, params, state, counters, history;
  for (const auto& [name, value] : c.config) config.push_back(json_string(name) + ": " + config_json(value));
  for (const auto& [name, t] : c.params) {
    const TensorStats s = tensor_stats(t.values);
    params.push_back(
        fmt::format(R"({}: {{"shape": [{}], "size": {}, "min": {}, "max": {}, "mean": {}, "std": {}, "nan": {}}})",
                    json_string(name), fmt::join(t.shape, ", "), t.values.size(), json_number(s.min),
                    json_number(s.max), json_number(s.mean), json_number(s.std), s.nan));
  }
  for (const auto& [name, t] : c.state)
    state.push_back(fmt::format(R"({}: {{"shape": [{}]}})", json_string(name), fmt::join(t.shape, ", ")));
  for (const auto& [name, v] : c.counters) counters.push_back(fmt::format("{}: {}", json_string(name), v));
  for (const auto& [name, v] : c.history)
    history.push_back(fmt::format(R"({}: {{"length": {}, "first": {}, "last": {}}})", json_string(name), v.size(),
                                  v.empty() ? "null" : json_number(v.front()),
                                  v.empty() ? "null" : json_number(v.back())));
  fmt::print(
      R"({{"file": {}, "format": "gibbs-checkpoint", "format_version": {}, "model": {}, "plugin_version": {}, )"
      R"("engine_version": {}, "simd_target": {}, "created": {}, "seed": {}, "config": {{{}}}, "params": {{{}}}, )"
      R"("state": {{{}}}, )"
      R"("counters": {{{}}}, "history": {{{}}}}})"
      "\n",
      json_string(path.string()), version, json_string(c.model), json_string(c.plugin_version),
      json_string(c.engine_version), json_string_or_null(c.simd_target), json_string(c.created), c.seed,
      fmt::join(config, ", "), fmt::join(params, ", "), fmt::join(state, ", "), fmt::join(counters, ", "),
      fmt::join(history, ", "));
}

int pictures(const std::vector<std::string>& files, const po::variables_map& vm) {
  if (vm.contains("json") || vm.contains("diff"))
    throw ArgumentError("inspect: --curves, --filters, --boundary and --codes go without --json and --diff");
  if (vm.contains("boundary")) {
    if (files.size() > 1) throw ArgumentError("inspect: --boundary draws one checkpoint");
    write_boundary(files.front(), vm["boundary"].as<std::string>(), vm["data"].as<std::string>());
  }
  if (vm.contains("codes")) {
    if (files.size() > 1) throw ArgumentError("inspect: --codes draws one checkpoint");
    write_codes(files.front(), vm["codes"].as<std::string>(), vm["data"].as<std::string>());
  }
  if (vm.contains("filters")) {
    if (files.size() > 1) throw ArgumentError("inspect: --filters draws one checkpoint");
    FilterOptions options{vm["filter-param"].as<std::string>(), vm["tiles"].as<std::size_t>(), ""};
    if (vm.contains("tile-shape")) options.tile_shape = vm["tile-shape"].as<std::string>();
    write_filters(files.front(), vm["filters"].as<std::string>(), options);
  }
  if (vm.contains("curves")) {
    const std::string png = vm["curves"].as<std::string>();
    const std::size_t series =
        write_curves(std::vector<fs::path>(files.begin(), files.end()), png, vm["metrics"].as<std::string>());
    fmt::print("{}: {} series from {} file{}\n", png, series, files.size(), files.size() == 1 ? "" : "s");
  }
  return 0;
}

const CommandSpec kSpec{
    .path = "inspect",
    .summary = "Describe a checkpoint or dataset file, or compare two checkpoints",
    .usage = {"gibbs inspect FILE [--json]", "gibbs inspect A.h5 --diff B.h5 [--json]",
              "gibbs inspect A.h5 [B.h5 ...] --curves curves.png [--metrics NAMES]",
              "gibbs inspect CKPT --filters filters.png [--filter-param W] [--tiles N] [--tile-shape HxW]",
              "gibbs inspect CKPT --boundary boundary.png [--data FILE]",
              "gibbs inspect CKPT --codes codes.png [--data FILE]"},
    .description =
        "Describes a checkpoint (attributes, hyper-parameters, parameter statistics, state, history) or a\n"
        "dataset (as `gibbs data info`). With --diff, lists what differs between two checkpoints;\n"
        "exit status 0: the same, 1: different, 2: an error.",
    .positional = {.name = "file",
                   .value_name = "FILE",
                   .help = "a checkpoint or dataset file (several with --curves)",
                   .many = true},
    .options =
        {
            {"diff", value<std::string>("OTHER"), "compare checkpoint FILE with checkpoint OTHER"},
            {"json", "one JSON object instead of text"},
            {"curves", value<std::string>("PNG"),
             "plot every history metric against epoch (several checkpoints overlaid)"},
            {"metrics", value<std::string>("NAMES", ""),
             "--curves: only these metrics (comma-separated; each with its test_ twin), e.g. test_log_likelihood"},
            {"filters", value<std::string>("PNG"), "draw each hidden unit's weights as a tile"},
            {"filter-param", value<std::string>("NAME", "W"), "the [visible, hidden] parameter for --filters"},
            {"tiles", value<std::size_t>("N", 100), "--filters: the first N hidden units"},
            {"tile-shape", value<std::string>("HxW"), "--filters: tile height and width (default: square)"},
            {"boundary", value<std::string>("PNG"),
             "a 2-input classifier: its training inputs by label and its decision boundary"},
            {"codes", value<std::string>("PNG"),
             "a model with 2-D codes: the test split's codes coloured by class (one colour without labels) "
             "beside its first two principal components (PCA fitted on the train split)"},
            {"data", value<std::string>("FILE", ""),
             "--boundary, --codes: the inputs to draw (default: the dataset the model was trained on)"},
        },
};

int inspect(const po::variables_map& vm) {
  const auto files = vm["file"].as<std::vector<std::string>>();
  if (!vm["metrics"].as<std::string>().empty() && !vm.contains("curves"))
    throw ArgumentError("inspect: --metrics goes with --curves");
  if (vm.contains("curves") || vm.contains("filters") || vm.contains("boundary") || vm.contains("codes"))
    return pictures(files, vm);
  if (files.size() > 1) throw ArgumentError("inspect: one FILE at a time (several only with --curves)");
  const fs::path file = files.front();
  const bool json = vm.contains("json");
  if (vm.contains("diff")) return diff_checkpoints(file, vm["diff"].as<std::string>(), json);

  const FileKind kind = file_kind(file);
  if (kind.format == io::kDatasetFormat) {
    describe_dataset(file, json);
  } else if (kind.format == io::kCheckpointFormat) {
    const io::Checkpoint c = io::load_checkpoint(file);
    if (json)
      print_json(file, kind.version, c);
    else
      print_text(file, kind.version, c);
  } else {
    throw FormatError(file.string(), fmt::format("not a gibbs file (format '{}')", kind.format));
  }
  return 0;
}

const Registration registration{kSpec, inspect};

}  // namespace
}  // namespace gibbs::cli
