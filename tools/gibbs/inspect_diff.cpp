// `gibbs inspect A --diff B`: which root attributes, hyper-parameters, parameters, state entries,
// counters and history metrics differ between two checkpoints, and by how much (h5diff's exit codes).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "tools/gibbs/inspect.h"
#include "tools/gibbs/inspect_config.h"
#include "tools/gibbs/json.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;

namespace gibbs::cli {

TensorDiff tensor_diff(std::span<const float> a, std::span<const float> b) {
  TensorDiff d;
  double sum = 0, diff_squares = 0, a_squares = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double delta = std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i]));
    if (a[i] != b[i]) ++d.differing;
    d.max_abs = std::max(d.max_abs, delta);
    sum += delta;
    diff_squares += delta * delta;
    a_squares += static_cast<double>(a[i]) * a[i];
  }
  if (a.empty()) return d;
  d.mean_abs = sum / static_cast<double>(a.size());
  d.rel_l2 = a_squares > 0      ? std::sqrt(diff_squares) / std::sqrt(a_squares)
             : diff_squares > 0 ? std::numeric_limits<double>::infinity()
                                : 0.0;
  return d;
}

namespace {

// One difference: a row of the text table and a member of the group's JSON object.
struct Difference {
  std::string group, name, text, json;
};

class Comparison {
 public:
  Comparison(std::string a, std::string b) : a_(std::move(a)), b_(std::move(b)) {}

  // Walks the union of two maps' names in order: only-in-a, only-in-b, or both.
  template <class Map, class Both>
  void each(const std::string& group, const Map& a, const Map& b, auto&& json_of, Both&& both) {
    std::set<std::string> names;
    for (const auto& [name, _] : a) names.insert(name);
    for (const auto& [name, _] : b) names.insert(name);
    for (const std::string& name : names) {
      const auto ia = a.find(name), ib = b.find(name);
      if (ib == b.end())
        add(group, name, "only in " + a_, fmt::format(R"({{"only_in": "a", "a": {}}})", json_of(ia->second)));
      else if (ia == a.end())
        add(group, name, "only in " + b_, fmt::format(R"({{"only_in": "b", "b": {}}})", json_of(ib->second)));
      else
        both(name, ia->second, ib->second);
    }
  }

  void add(const std::string& group, const std::string& name, std::string text, std::string json) {
    differences_.push_back({group, name, std::move(text), std::move(json)});
  }

  const std::vector<Difference>& differences() const { return differences_; }
  const std::string& a() const { return a_; }
  const std::string& b() const { return b_; }

 private:
  std::string a_, b_;
  std::vector<Difference> differences_;
};

std::string config_json(const io::ConfigValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return json_string(*s);
  if (const auto* d = std::get_if<double>(&v)) return json_number(*d);
  return std::to_string(std::get<std::int64_t>(v));
}

std::string shape_json(const io::Tensor& t) { return fmt::format("[{}]", fmt::join(t.shape, ", ")); }

void compare_tensors(Comparison& cmp, const std::string& group, const std::map<std::string, io::Tensor>& a,
                     const std::map<std::string, io::Tensor>& b) {
  const auto json_of = [](const io::Tensor& t) { return fmt::format(R"({{"shape": {}}})", shape_json(t)); };
  cmp.each(group, a, b, json_of, [&](const std::string& name, const io::Tensor& ta, const io::Tensor& tb) {
    if (ta.shape != tb.shape) {
      cmp.add(group, name, fmt::format("shape {} vs {}", shape_json(ta), shape_json(tb)),
              fmt::format(R"({{"shape_a": {}, "shape_b": {}}})", shape_json(ta), shape_json(tb)));
      return;
    }
    const TensorDiff d = tensor_diff(ta.values, tb.values);
    if (d.differing == 0) return;
    cmp.add(group, name,
            fmt::format("{}: max |a-b| {:.6g}, mean |a-b| {:.6g}, relative L2 {:.6g} ({} of {} elements differ)",
                        shape_json(ta), d.max_abs, d.mean_abs, d.rel_l2, d.differing, ta.values.size()),
            fmt::format(R"({{"shape": {}, "size": {}, "differing": {}, "max_abs": {}, "mean_abs": {}, "rel_l2": {}}})",
                        shape_json(ta), ta.values.size(), d.differing, json_number(d.max_abs), json_number(d.mean_abs),
                        json_number(d.rel_l2)));
  });
}

void compare_history(Comparison& cmp, const std::map<std::string, std::vector<double>>& a,
                     const std::map<std::string, std::vector<double>>& b) {
  const auto json_of = [](const std::vector<double>& v) { return fmt::format(R"({{"length": {}}})", v.size()); };
  cmp.each("history", a, b, json_of,
           [&](const std::string& name, const std::vector<double>& va, const std::vector<double>& vb) {
             if (va == vb) return;
             const std::size_t common = std::min(va.size(), vb.size());
             double max_abs = 0;
             for (std::size_t i = 0; i < common; ++i) max_abs = std::max(max_abs, std::abs(va[i] - vb[i]));
             const auto last = [](const std::vector<double>& v) {
               return v.empty() ? std::string("null") : json_number(v.back());
             };
             cmp.add(
                 "history", name,
                 fmt::format("length {} vs {}, last {} vs {}, max |a-b| {:.6g} over the first {}", va.size(), vb.size(),
                             last(va), last(vb), max_abs, common),
                 fmt::format(
                     R"({{"length_a": {}, "length_b": {}, "last_a": {}, "last_b": {}, "max_abs": {}, "compared": {}}})",
                     va.size(), vb.size(), last(va), last(vb), json_number(max_abs), common));
           });
}

void compare(Comparison& cmp, const io::Checkpoint& a, const io::Checkpoint& b) {
  const auto attribute = [&](const char* name, const std::string& va, const std::string& vb, bool quoted) {
    if (va == vb) return;
    const auto j = [&](const std::string& v) { return quoted ? json_string(v) : v; };
    cmp.add("attributes", name, fmt::format("{} vs {}", va, vb), fmt::format(R"({{"a": {}, "b": {}}})", j(va), j(vb)));
  };
  attribute("model", a.model, b.model, true);
  attribute("plugin_version", a.plugin_version, b.plugin_version, true);
  attribute("engine_version", a.engine_version, b.engine_version, true);
  attribute("simd_target", a.simd_target, b.simd_target, true);
  attribute("seed", std::to_string(a.seed), std::to_string(b.seed), false);

  cmp.each("config", a.config, b.config, config_json,
           [&](const std::string& name, const io::ConfigValue& va, const io::ConfigValue& vb) {
             if (va == vb) return;
             cmp.add("config", name, fmt::format("{} -> {}", config_text(va), config_text(vb)),
                     fmt::format(R"({{"a": {}, "b": {}}})", config_json(va), config_json(vb)));
           });
  compare_tensors(cmp, "params", a.params, b.params);
  compare_tensors(cmp, "state", a.state, b.state);
  const auto count = [](std::uint64_t v) { return std::to_string(v); };
  cmp.each("counters", a.counters, b.counters, count, [&](const std::string& name, std::uint64_t va, std::uint64_t vb) {
    if (va != vb)
      cmp.add("counters", name, fmt::format("{} -> {}", va, vb), fmt::format(R"({{"a": {}, "b": {}}})", va, vb));
  });
  compare_history(cmp, a.history, b.history);
}

constexpr const char* kGroups[] = {"attributes", "config", "params", "state", "counters", "history"};

void print_text(const Comparison& cmp, const io::Checkpoint& a, const io::Checkpoint& b) {
  const std::size_t n = cmp.differences().size();
  if (n == 0)
    fmt::print("{} and {} are identical\n", cmp.a(), cmp.b());
  else
    fmt::print("{} and {} differ in {} {}\n", cmp.a(), cmp.b(), n, n == 1 ? "entry" : "entries");
  std::size_t group_width = 7, name_width = 0;
  for (const Difference& d : cmp.differences())
    group_width = std::max(group_width, d.group.size()), name_width = std::max(name_width, d.name.size());
  for (const Difference& d : cmp.differences())
    fmt::print("  {:<{}}  {:<{}}  {}\n", d.group, group_width, d.name, name_width, d.text);
  if (a.created != b.created)
    fmt::print("  {:<{}}  (not compared) {} vs {}\n", "created", group_width, a.created, b.created);
}

void print_json(const Comparison& cmp, const io::Checkpoint& a, const io::Checkpoint& b) {
  std::vector<std::string> groups;
  for (const char* group : kGroups) {
    std::vector<std::string> members;
    for (const Difference& d : cmp.differences())
      if (d.group == group) members.push_back(json_string(d.name) + ": " + d.json);
    groups.push_back(fmt::format("{}: {{{}}}", json_string(group), fmt::join(members, ", ")));
  }
  fmt::print(R"({{"a": {}, "b": {}, "identical": {}, "differences": {}, "created": {{"a": {}, "b": {}}}, {}}})"
             "\n",
             json_string(cmp.a()), json_string(cmp.b()), cmp.differences().empty(), cmp.differences().size(),
             json_string(a.created), json_string(b.created), fmt::join(groups, ", "));
}

}  // namespace

int diff_checkpoints(const fs::path& a_path, const fs::path& b_path, bool json) {
  const io::Checkpoint a = io::load_checkpoint(a_path);
  const io::Checkpoint b = io::load_checkpoint(b_path);
  Comparison cmp(a_path.string(), b_path.string());
  compare(cmp, a, b);
  if (json)
    print_json(cmp, a, b);
  else
    print_text(cmp, a, b);
  return cmp.differences().empty() ? 0 : 1;
}

}  // namespace gibbs::cli
