#include "tools/gibbs/sweep_summary.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tools/gibbs/inspect.h"
#include "tools/gibbs/json.h"
import gibbs.core;
import gibbs.io;
import gibbs.viz;

namespace fs = std::filesystem;

namespace gibbs::cli {
namespace {

// The series that are neither a timing nor a counter: the run's final metrics.
bool is_metric(const std::string& metric) {
  return metric != "epoch" && metric != "stage" && !is_timing_metric(metric);
}

struct Row {
  std::string status;
  std::uint64_t epochs = 0;
  double seconds = 0;
  std::map<std::string, double> metrics;  // the last value of each history metric
};

// `checkpoint`: the run's, read once; null when it did not train.
Row row_of(const io::Checkpoint* checkpoint, const RunOutcome& outcome) {
  Row row;
  if (checkpoint == nullptr) {
    row.status = outcome.problem;
    return row;
  }
  row.status = "trained";
  if (const auto it = checkpoint->counters.find("train/epoch"); it != checkpoint->counters.end())
    row.epochs = it->second;
  for (const auto& [metric, values] : checkpoint->history) {
    if (metric == "seconds") row.seconds = std::accumulate(values.begin(), values.end(), 0.0);
    if (is_metric(metric) && !values.empty()) row.metrics[metric] = values.back();
  }
  return row;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// The swept value as a number on the x axis; non-numeric values are numbered 1, 2, ... in the
// order the grid gave them.
std::vector<double> x_positions(const std::vector<std::string>& values, std::string& label) {
  std::vector<double> x;
  for (const std::string& v : values) {
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (end != v.c_str() + v.size() || !std::isfinite(d)) {
      std::vector<std::string> named;
      for (std::size_t i = 0; i < values.size(); ++i) named.push_back(fmt::format("{}: {}", i + 1, values[i]));
      label += fmt::format(" ({})", fmt::join(named, ", "));
      x.resize(values.size());
      std::iota(x.begin(), x.end(), 1.0);
      return x;
    }
    x.push_back(d);
  }
  return x;
}

// final.png: one figure per metric; false when no run has a finite final metric.
bool write_final(const fs::path& png, const std::vector<SweepRun>& runs, const std::vector<Row>& rows) {
  const std::string axis = runs.front().values.front().first;
  std::vector<std::string> values;  // the first swept option's, in grid order
  for (const SweepRun& run : runs)
    if (std::ranges::find(values, run.values.front().second) == values.end())
      values.push_back(run.values.front().second);
  std::string x_label = axis;
  const std::vector<double> x = x_positions(values, x_label);
  // A group: the runs that share every swept value but the first and the seed.
  const auto group_of = [](const SweepRun& run) {
    std::vector<std::string> parts;
    for (std::size_t i = 1; i < run.values.size(); ++i)
      if (run.values[i].first != "seed") parts.push_back(run.values[i].first + "=" + run.values[i].second);
    return fmt::format("{}", fmt::join(parts, " "));
  };
  std::vector<std::string> groups;
  for (const SweepRun& run : runs)
    if (std::ranges::find(groups, group_of(run)) == groups.end()) groups.push_back(group_of(run));
  std::set<std::string> panels;
  for (const Row& row : rows)
    for (const auto& [metric, _] : row.metrics) panels.insert(metric.starts_with("test_") ? metric.substr(5) : metric);
  std::vector<viz::Figure> figures;
  for (const std::string& panel : panels) {
    viz::Figure figure;
    figure.title = panel, figure.x_label = x_label, figure.y_label = "after the last epoch";
    double low = INFINITY, high = -INFINITY;
    for (std::size_t g = 0; g < groups.size(); ++g)
      for (const bool test : {false, true}) {
        const std::string metric = test ? "test_" + panel : panel;
        viz::Line line;
        line.colour = static_cast<int>(g), line.dashed = test;
        viz::Points dots;
        dots.colour = static_cast<int>(g), dots.marker = viz::Marker::dot, dots.size = 0.8;
        for (std::size_t v = 0; v < values.size(); ++v) {
          double sum = 0;
          std::size_t n = 0;
          for (std::size_t r = 0; r < runs.size(); ++r) {
            const auto found = rows[r].metrics.find(metric);
            if (runs[r].values.front().second != values[v] || group_of(runs[r]) != groups[g] ||
                found == rows[r].metrics.end() || !std::isfinite(found->second))
              continue;
            dots.x.push_back(x[v]);
            dots.y.push_back(found->second);
            sum += found->second, ++n;
            low = std::min(low, found->second), high = std::max(high, found->second);
          }
          if (n > 0) line.x.push_back(x[v]), line.y.push_back(sum / static_cast<double>(n));
        }
        if (line.x.empty()) continue;
        line.label = groups[g].empty() ? (test ? "test" : "train") : groups[g] + (test ? " test" : "");
        figure.lines.push_back(std::move(line));
        figure.points.push_back(std::move(dots));
      }
    if (figure.lines.empty()) continue;
    const auto [x_low, x_high] = std::ranges::minmax(x);
    const double x_pad = x_high > x_low ? 0.05 * (x_high - x_low) : 1.0;
    const double y_pad = high > low ? 0.08 * (high - low) : std::max(1e-3, std::abs(high) * 0.1);
    figure.x0 = x_low - x_pad, figure.x1 = x_high + x_pad, figure.y0 = low - y_pad, figure.y1 = high + y_pad;
    figures.push_back(std::move(figure));
  }
  if (figures.empty()) return false;
  const auto columns = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(figures.size()))));
  const auto panel_rows = static_cast<int>((figures.size() + columns - 1) / columns);
  viz::plot_figures(png, figures, 560 * static_cast<int>(columns), 460 * panel_rows, columns);
  return true;
}

}  // namespace

std::vector<std::string> write_summary(const fs::path& folder, const std::vector<SweepRun>& runs,
                                       const std::vector<RunOutcome>& outcomes, bool json) {
  std::vector<Row> rows;
  std::set<std::string> metrics;
  std::vector<std::pair<std::string, io::Checkpoint>> trained;  // legend name, checkpoint
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (outcomes[i].trained)
      trained.emplace_back(runs[i].name + ".h5", io::load_checkpoint(folder / (runs[i].name + ".h5")));
    rows.push_back(row_of(outcomes[i].trained ? &trained.back().second : nullptr, outcomes[i]));
    for (const auto& [metric, _] : rows.back().metrics) metrics.insert(metric);
  }
  std::vector<std::string> said;
  if (json) {
    std::vector<std::string> objects;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      std::vector<std::string> options, values;
      for (const auto& [name, value] : runs[i].values) options.push_back(json_string(name) + ": " + json_string(value));
      for (const auto& [metric, value] : rows[i].metrics)
        values.push_back(json_string(metric) + ": " + json_number(value));
      objects.push_back(fmt::format(R"({{"run": {}, "options": {{{}}}, "status": {}, "epochs": {}, "seconds": {}, )"
                                    R"("metrics": {{{}}}}})",
                                    json_string(runs[i].name), fmt::join(options, ", "), json_string(rows[i].status),
                                    rows[i].epochs, json_number(rows[i].seconds), fmt::join(values, ", ")));
    }
    fmt::print("{{\"folder\": {}, \"runs\": [{}]}}\n", json_string(folder.string()), fmt::join(objects, ", "));
  }
  {
    io::TextOutput csv(folder / "summary.csv");
    std::vector<std::string> header{"run"};
    for (const auto& [name, _] : runs.front().values) header.push_back(name);
    header.insert(header.end(), {"status", "epochs", "seconds"});
    header.insert(header.end(), metrics.begin(), metrics.end());
    fmt::print(csv.stream(), "{}\n", fmt::join(header, ","));
    for (std::size_t i = 0; i < runs.size(); ++i) {
      std::vector<std::string> fields{runs[i].name};
      for (const auto& [_, value] : runs[i].values) fields.push_back(csv_field(value));
      fields.insert(fields.end(), {csv_field(rows[i].status), std::to_string(rows[i].epochs),
                                   outcomes[i].trained ? fmt::format("{:.3f}", rows[i].seconds) : ""});
      for (const std::string& metric : metrics) {
        const auto found = rows[i].metrics.find(metric);
        fields.push_back(found == rows[i].metrics.end() ? "" : fmt::format("{}", found->second));
      }
      fmt::print(csv.stream(), "{}\n", fmt::join(fields, ","));
    }
    csv.commit();
    said.push_back(
        fmt::format("{}: {} runs, {} trained", (folder / "summary.csv").string(), runs.size(), trained.size()));
  }
  if (!trained.empty()) {
    const std::size_t series = write_curves(trained, folder / "curves.png", "");
    said.push_back(fmt::format("{}: {} series from {} runs", (folder / "curves.png").string(), series, trained.size()));
    if (write_final(folder / "final.png", runs, rows))
      said.push_back(fmt::format("{}: every final metric against {}", (folder / "final.png").string(),
                                 runs.front().values.front().first));
  }
  return said;
}

}  // namespace gibbs::cli
