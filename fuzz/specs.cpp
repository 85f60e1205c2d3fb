// The fuzz entries of the option parsers: --arch and --layers (gibbs.nn), the rbm plugin's
// epoch schedules, the dbn plugin's per-layer options and --clamp. A parse that succeeds must
// also hold together (canonical text parses to the same layers, schedules give valid values):
// a std::logic_error otherwise, which the guard lets through as a finding.
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/entries.h"
#include "plugins/dbn/dbn_model.h"
#include "plugins/rbm/rbm_model.h"
#include "tools/gibbs/units.h"
import gibbs.core;
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::fuzz {
namespace {

// Byte 0 chooses the input's sample shape.
nn::SampleShape input_shape(std::uint8_t byte) {
  static constexpr std::array<nn::SampleShape, 8> kShapes = {
      {{1, 28, 28}, {3, 32, 32}, {784, 1, 1}, {1, 1, 1}, {2, 5, 7}, {1, 3, 3}, {16, 4, 4}, {1, 64, 64}}};
  return kShapes[byte % kShapes.size()];
}

std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The text split at newlines into at most `count` fields.
std::vector<std::string> fields(std::string_view text, std::size_t count) {
  std::vector<std::string> out;
  while (out.size() + 1 < count) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) break;
    out.emplace_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  out.emplace_back(text);
  return out;
}

void expect_round_trip(const nn::Architecture& parsed) {
  const std::string canonical = nn::to_string(parsed);
  const nn::Architecture again = nn::parse_arch(canonical, parsed.input);
  if (again.layers != parsed.layers || nn::to_string(again) != canonical)
    throw std::logic_error("the canonical --arch '" + canonical + "' does not parse to the same layers");
}

}  // namespace

int fuzz_arch(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  return guarded([&] { expect_round_trip(nn::parse_arch(text_of(data + 1, size - 1), input_shape(data[0]))); });
}

// Byte 0: the input shape; then --layers, --activation and --output-activation, one a line.
int fuzz_layers(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::vector<std::string> f = fields(text_of(data + 1, size - 1), 3);
  return guarded([&] {
    expect_round_trip(nn::parse_layers(f[0], f.size() > 1 ? f[1] : "relu", input_shape(data[0]),
                                       f.size() > 2 ? std::string_view(f[2]) : std::string_view{}));
  });
}

// Byte 0, bit 0: --lr-schedule (positive values) or --momentum-schedule (values in [0, 1)).
int fuzz_schedule(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool lr = (data[0] & 1) != 0;
  const std::string text(text_of(data + 1, size - 1));
  return guarded([&] {
    const auto valid =
        lr ? +[](float v) { return v > 0 && std::isfinite(v); } : +[](float v) { return v >= 0 && v < 1; };
    const rbm::EpochSchedule schedule = rbm::EpochSchedule::parse(
        lr ? "lr-schedule" : "momentum-schedule", text, lr ? 0.01f : 0.5f, valid,
        lr ? "with positive values" : "with values in [0, 1)", lr ? "0.01:80,0.001" : "0.5:5,0.9");
    if (schedule.steps.empty()) throw std::logic_error("a schedule parsed with no steps");
    for (const std::uint64_t epoch : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{1000},
                                      std::numeric_limits<std::uint64_t>::max()})
      if (!valid(schedule.at(epoch))) throw std::logic_error("a schedule gave a value it refuses: '" + text + "'");
  });
}

// The dbn options --layers, --visible, --hidden-units, --k, --negative-phase, --lr,
// --momentum-schedule, --weight-decay and --init, one a line (absent ones keep their defaults);
// every layer's RBM options are derived (the first 64 layers).
int fuzz_dbn_layer(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> f = fields(text_of(data, size), 9);
  return guarded([&] {
    dbn::DbnOptions o = read_options<dbn::DbnOptions>(Config{});
    std::string* const slots[] = {&o.layers, &o.visible,           &o.hidden_units, &o.k,   &o.negative_phase,
                                  &o.lr,     &o.momentum_schedule, &o.weight_decay, &o.init};
    for (std::size_t i = 0; i < f.size(); ++i) *slots[i] = f[i];
    const std::size_t layers = o.sizes().size() - 1;
    for (std::size_t l = 0; l < layers && l < 64; ++l) o.layer(l);
  });
}

int fuzz_clamp(const std::uint8_t* data, std::size_t size) {
  const std::string text(text_of(data, size));
  return guarded([&] {
    if (cli::parse_units(text, "sample: --clamp", SIZE_MAX).empty())
      throw std::logic_error("an empty list of units parsed");
  });
}

}  // namespace gibbs::fuzz
