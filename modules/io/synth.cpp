// gibbs.io:table — the generators: logic truth tables, the sin/cos regression set, random patterns.
module;
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>
module gibbs.io;
import gibbs.core;
import gibbs.random;

namespace gibbs::io {
namespace {

void check_count(std::size_t count, const char* what) {
  if (count == 0 || count > (std::size_t{1} << 31))
    throw ArgumentError(fmt::format("{} {} is outside [1, 2^31]", what, count));
}

}  // namespace

Table logic_table(LogicOp op, std::size_t inputs, LogicEncoding encoding) {
  if (inputs < 1 || inputs > 16) throw ArgumentError(fmt::format("logic: {} inputs is outside [1, 16]", inputs));
  const std::size_t rows = std::size_t{1} << inputs;
  const bool pm1 = encoding == LogicEncoding::pm1;
  const std::string op_name = op == LogicOp::and_op ? "and" : op == LogicOp::or_op ? "or" : "xor";
  Table table{{fmt::format("synth logic {} {} inputs {}", op_name, inputs, pm1 ? "pm1" : "01"),
               {inputs},
               pm1 ? std::vector<std::string>{"-1", "1"} : std::vector<std::string>{"0", "1"}},
              Matrix<float>(rows, inputs),
              {},
              {}};
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t ones = 0;
    for (std::size_t j = 0; j < inputs; ++j) {
      const bool bit = (r >> (inputs - 1 - j)) & 1;
      ones += bit;
      table.x(r, j) = bit ? 1.0f : (pm1 ? -1.0f : 0.0f);
    }
    const bool truth = op == LogicOp::and_op ? ones == inputs : op == LogicOp::or_op ? ones > 0 : ones % 2 == 1;
    table.y.push_back(truth ? 1 : 0);
  }
  return table;
}

Table sincos_table(std::size_t count, std::uint64_t seed) {
  check_count(count, "sincos: count");
  Table table{{"synth sincos: t = sin x + cos y + z", {3}, {}}, Matrix<float>(count, 3), {}, {}};
  random::uniform(random::streams::synth_sincos(seed), 0, table.x.view());
  const float two_pi = 2 * std::numbers::pi_v<float>;
  table.t.resize(count);
  for (std::size_t r = 0; r < count; ++r) {
    float& x = table.x(r, 0);
    float& y = table.x(r, 1);
    float& z = table.x(r, 2);
    x *= two_pi;
    y *= two_pi;
    z = 2 * z - 1;
    table.t[r] = static_cast<float>(std::sin(double{x}) + std::cos(double{y}) + double{z});
  }
  return table;
}

Table patterns_table(std::size_t inputs, std::size_t count, std::uint64_t seed) {
  check_count(count, "patterns: count");
  if (inputs < 1 || inputs > 65536)
    throw ArgumentError(fmt::format("patterns: {} inputs is outside [1, 65536]", inputs));
  Table table{
      {fmt::format("synth patterns: {} uniform in [-1, 1]^{}, random ±1 labels", count, inputs), {inputs}, {"-1", "1"}},
      Matrix<float>(count, inputs),
      {},
      {}};
  random::uniform(random::streams::synth_patterns(seed), 0, table.x.view());
  for (float& v : table.x.values()) v = 2 * v - 1;
  std::vector<float> u(count);
  random::uniform(random::streams::synth_labels(seed), 0, u);
  for (float v : u) table.y.push_back(v < 0.5f ? 0 : 1);
  return table;
}

}  // namespace gibbs::io
