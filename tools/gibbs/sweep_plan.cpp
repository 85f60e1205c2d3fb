#include "tools/gibbs/sweep_plan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "tools/gibbs/escape.h"
#include "tools/gibbs/json.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;

namespace gibbs::cli {
namespace {

constexpr std::size_t kMostRuns = 10'000;

std::string name_part(const std::string& text) {
  std::string part;
  for (const char c : text)
    part += std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '+' || c == '-' ? c : '~';
  return part;
}

}  // namespace

Axis parse_axis(const std::string& text) {
  const std::size_t equals = text.find('=');
  Axis axis;
  axis.name = text.substr(0, equals);
  if (axis.name.starts_with("--")) axis.name.erase(0, 2);
  if (equals == std::string::npos || axis.name.empty())
    throw ArgumentError(fmt::format("--grid: '{}' is not NAME=V1,V2,...", printable(text)));
  std::set<std::string> seen;
  for (std::size_t start = equals + 1;;) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string value = text.substr(start, comma - start);
    if (value.empty()) throw ArgumentError(fmt::format("--grid: '{}' has an empty value", printable(text)));
    if (!seen.insert(value).second)
      throw ArgumentError(fmt::format("--grid: '{}' gives {} twice", printable(text), printable(value)));
    axis.values.push_back(value);
    if (comma == text.size()) break;
    start = comma + 1;
  }
  return axis;
}

std::vector<SweepRun> plan_sweep(const std::vector<std::string>& train_args, const std::vector<Axis>& axes,
                                 std::size_t seeds) {
  if (axes.empty() && seeds == 0) throw ArgumentError("sweep: give --grid NAME=V1,V2,... or --seeds N");
  std::size_t count = std::max<std::size_t>(seeds, 1);
  for (const Axis& axis : axes) {
    if (count > kMostRuns / axis.values.size())
      throw ArgumentError(fmt::format("--grid: more than {} runs; split the sweep", kMostRuns));
    count *= axis.values.size();
  }
  if (count > kMostRuns) throw ArgumentError(fmt::format("--seeds: more than {} runs; split the sweep", kMostRuns));
  std::vector<SweepRun> runs;
  std::set<std::string> names;
  std::vector<std::size_t> at(axes.size(), 0);  // the value of each axis, an odometer
  for (std::size_t combination = 0; combination < count / std::max<std::size_t>(seeds, 1); ++combination) {
    for (std::size_t seed = 0; seed < std::max<std::size_t>(seeds, 1); ++seed) {
      SweepRun run;
      run.args = train_args;
      std::vector<std::string> parts;
      for (std::size_t a = 0; a < axes.size(); ++a) {
        const std::string& value = axes[a].values[at[a]];
        run.values.emplace_back(axes[a].name, value);
        run.args.insert(run.args.end(), {"--" + axes[a].name, value});
        parts.push_back(name_part(axes[a].name) + "-" + name_part(value));
      }
      if (seeds > 0) {
        run.values.emplace_back("seed", std::to_string(seed));
        run.args.insert(run.args.end(), {"--seed", std::to_string(seed)});
        parts.push_back("seed-" + std::to_string(seed));
      }
      run.name = fmt::format("{}", fmt::join(parts, "_"));
      if (!names.insert(run.name).second)
        throw ArgumentError(
            fmt::format("--grid: two runs would be named {}; give values that differ in letters, "
                        "digits, '.', '+' or '-'",
                        run.name));
      runs.push_back(std::move(run));
    }
    for (std::size_t a = axes.size(); a-- > 0;) {
      if (++at[a] < axes[a].values.size()) break;
      at[a] = 0;
    }
  }
  return runs;
}

std::string sweep_declaration(const std::vector<SweepRun>& runs) {
  std::string text = "{\"format\": \"gibbs-sweep\", \"format_version\": 1, \"runs\": [\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::vector<std::string> args;
    for (const std::string& arg : runs[i].args) args.push_back(json_string(arg));
    text += fmt::format("  {{\"name\": {}, \"args\": [{}]}}{}\n", json_string(runs[i].name), fmt::join(args, ", "),
                        i + 1 < runs.size() ? "," : "");
  }
  return text + "]}\n";
}

void claim_folder(const fs::path& folder, const std::string& declaration, bool write) {
  const fs::path file = folder / "sweep.json";
  std::error_code ec;
  if (fs::exists(file, ec)) {
    if (io::read_text_file(file) != declaration)
      throw ArgumentError(
          fmt::format("-o {}: holds another sweep's runs (its sweep.json lists other runs); give "
                      "another folder, or the command that made it",
                      folder.string()));
    return;
  }
  if (fs::exists(folder, ec)) {
    if (!fs::is_directory(folder, ec)) throw IoError(folder.string(), "is not a folder");
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec))
      if (entry.path().extension() == ".h5")
        throw ArgumentError(fmt::format("-o {}: holds {} but no sweep.json: give an empty or new folder",
                                        folder.string(), entry.path().filename().string()));
  }
  if (!write) return;
  fs::create_directories(folder, ec);
  if (ec) throw IoError(folder.string(), "cannot create the folder: " + ec.message());
  io::TextOutput out(file);
  std::fputs(declaration.c_str(), out.stream());
  out.commit();
}

}  // namespace gibbs::cli
