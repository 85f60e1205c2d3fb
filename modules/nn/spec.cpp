// The --arch and --layers parsers: tokens to LayerSpecs, shapes checked token by token, and
// every error quoting the spec and the token at fault.
module;
#include <fmt/format.h>
#include <charconv>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
module gibbs.nn;
import gibbs.core;
import gibbs.simd;

namespace gibbs::nn {
namespace {

constexpr std::size_t kLargest = std::size_t{1} << 24;  // no number in a spec is larger
constexpr std::string_view kLayers =
    "convKxK:FILTERS[:sSTRIDE][:pPAD], maxpoolK[:sSTRIDE], dense:UNITS, flatten, relu, tanh, sigmoid, sign, "
    "identity or softmax";
constexpr std::string_view kActivations = "relu, tanh, sigmoid, sign, identity or softmax";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> pieces;
  for (std::size_t start = 0;;) {
    const std::size_t end = s.find(separator, start);
    pieces.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return pieces;
    start = end + 1;
  }
}

// A decimal integer in [0, kLargest], digits only.
std::optional<std::size_t> number(std::string_view s) {
  std::size_t value = 0;
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::from_chars(s.data(), s.data() + s.size(), value);
  if (value > kLargest) return std::nullopt;
  return value;
}

bool consume(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

std::optional<LayerSpec> activation_spec(std::string_view name) {
  for (const auto a :
       {simd::Activation::kRelu, simd::Activation::kTanh, simd::Activation::kSigmoid, simd::Activation::kIdentity})
    if (name == simd::to_string(a)) return LayerSpec{.activation = a};
  if (name == "sign") return LayerSpec{.kind = LayerKind::kSign};
  if (name == "softmax") return LayerSpec{.kind = LayerKind::kSoftmax};
  return std::nullopt;
}

// What is wrong with one token, or its spec.
struct Parsed {
  std::optional<LayerSpec> spec;
  std::string problem;
};

Parsed bad(std::string problem) { return {std::nullopt, std::move(problem)}; }

// convKxK:FILTERS[:sSTRIDE][:pPAD], after "conv".
Parsed parse_conv(std::string_view rest) {
  const std::string syntax =
      "is not a convolution (expected convKxK:FILTERS[:sSTRIDE][:pPAD], e.g. conv3x3:32 or "
      "conv5x5:16:s2:p2)";
  const std::vector<std::string_view> fields = split(rest, ':');
  const std::size_t x = fields[0].find('x');
  if (fields.size() < 2 || x == std::string_view::npos) return bad(syntax);
  const auto k1 = number(fields[0].substr(0, x)), k2 = number(fields[0].substr(x + 1)), filters = number(fields[1]);
  if (!k1 || !k2 || !filters) return bad(syntax);
  if (*k1 != *k2) return bad("has a non-square kernel (expected KxK with the same K twice)");
  LayerSpec spec{.kind = LayerKind::kConv2d, .units = *filters, .kernel = *k1, .stride = 1, .padding = 0};
  bool stride = false, padding = false;
  for (std::size_t i = 2; i < fields.size(); ++i) {
    std::string_view f = fields[i];
    const bool is_stride = consume(f, "s");
    if (!is_stride && !consume(f, "p")) return bad(syntax);
    const auto value = number(f);
    if (!value) return bad(syntax);
    bool& seen = is_stride ? stride : padding;
    if (seen) return bad(is_stride ? "gives the stride twice" : "gives the padding twice");
    seen = true;
    (is_stride ? spec.stride : spec.padding) = *value;
  }
  if (spec.kernel == 0 || spec.units == 0 || spec.stride == 0)
    return bad("has a zero kernel size, filter count or stride (each must be positive)");
  return {spec, {}};
}

// maxpoolK[:sSTRIDE], after "maxpool".
Parsed parse_pool(std::string_view rest) {
  const std::string syntax = "is not a max pooling (expected maxpoolK[:sSTRIDE], e.g. maxpool2 or maxpool3:s2)";
  const std::vector<std::string_view> fields = split(rest, ':');
  const auto k = number(fields[0]);
  if (!k || fields.size() > 2) return bad(syntax);
  LayerSpec spec{.kind = LayerKind::kMaxPool2d, .kernel = *k, .stride = *k};
  if (fields.size() == 2) {
    std::string_view f = fields[1];
    const auto stride = consume(f, "s") ? number(f) : std::nullopt;
    if (!stride) return bad(syntax);
    spec.stride = *stride;
  }
  if (spec.kernel == 0 || spec.stride == 0) return bad("has a zero window or stride (each must be positive)");
  return {spec, {}};
}

// Whether a run of digits in s stands for a number larger than kLargest.
bool has_huge_number(std::string_view s) {
  std::size_t run = 0, value = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') {
      run = value = 0;
      continue;
    }
    value = value * 10 + static_cast<std::size_t>(c - '0');
    if (++run > 9 || value > kLargest) return true;
  }
  return false;
}

Parsed parse_token(std::string_view token) {
  if (token.empty()) return bad("is empty");
  if (has_huge_number(token)) return bad(fmt::format("has a number larger than {}", kLargest));
  if (const auto spec = activation_spec(token)) return {spec, {}};
  if (token == "flatten") return {LayerSpec{.kind = LayerKind::kFlatten}, {}};
  std::string_view rest = token;
  if (consume(rest, "conv")) return parse_conv(rest);
  if (consume(rest, "maxpool")) return parse_pool(rest);
  if (consume(rest, "dense")) {
    const auto units = consume(rest, ":") ? number(rest) : std::nullopt;
    if (!units) return bad("is not a dense layer (expected dense:UNITS, e.g. dense:128)");
    if (*units == 0) return bad("has zero units (expected at least 1)");
    return {LayerSpec{.kind = LayerKind::kDense, .units = *units}, {}};
  }
  return bad(fmt::format("is not a layer (expected {})", kLayers));
}

// Why `spec` cannot take samples of shape `in`, or nothing.
std::string shape_problem(const LayerSpec& spec, SampleShape in) {
  const std::size_t k = spec.kernel;
  switch (spec.kind) {
    case LayerKind::kDense:
      if (!in.flat()) return fmt::format("needs a flat input, got {} (put flatten before it)", to_string(in));
      return {};
    case LayerKind::kConv2d:
      if (in.height + 2 * spec.padding < k || in.width + 2 * spec.padding < k)
        return fmt::format("does not fit its input {} (a {}x{} kernel on {}x{} with padding {})", to_string(in), k, k,
                           in.height, in.width, spec.padding);
      return {};
    case LayerKind::kMaxPool2d:
      if (in.height < k || in.width < k)
        return fmt::format("does not fit its input {} (a {}x{} window on {}x{})", to_string(in), k, k, in.height,
                           in.width);
      return {};
    default: return {};
  }
}

// The layers' own shape rules, without building a layer (and allocating its parameters);
// the spec tests check them against the layers'.
SampleShape shape_after(const LayerSpec& spec, SampleShape in) {
  switch (spec.kind) {
    case LayerKind::kDense: return flat_shape(spec.units);
    case LayerKind::kConv2d:
      return {spec.units, (in.height + 2 * spec.padding - spec.kernel) / spec.stride + 1,
              (in.width + 2 * spec.padding - spec.kernel) / spec.stride + 1};
    case LayerKind::kMaxPool2d:
      return {in.channels, (in.height - spec.kernel) / spec.stride + 1, (in.width - spec.kernel) / spec.stride + 1};
    case LayerKind::kFlatten: return flat_shape(in.size());
    default: return in;
  }
}

LayerSpec activation_option(std::string_view option, std::string_view name) {
  const auto spec = activation_spec(name);
  if (!spec)
    throw ArgumentError(fmt::format("{} \"{}\" is not an activation (expected {})", option, name, kActivations));
  return *spec;
}

}  // namespace

std::unique_ptr<Layer> make_layer(const LayerSpec& spec, SampleShape input) {
  switch (spec.kind) {
    case LayerKind::kDense: {
      auto dense = std::make_unique<Dense>(input.size(), spec.units);
      dense->output_shape(input);  // a flat input only
      return dense;
    }
    case LayerKind::kConv2d: return std::make_unique<Conv2d>(input, spec.units, spec.kernel, spec.stride, spec.padding);
    case LayerKind::kMaxPool2d: return std::make_unique<MaxPool2d>(input, spec.kernel, spec.stride);
    case LayerKind::kFlatten: return std::make_unique<Flatten>();
    default: return std::make_unique<ActivationLayer>(spec);
  }
}

Architecture parse_arch(std::string_view spec, SampleShape input) {
  Architecture a{.input = input, .layers = {}, .shapes = {}};
  const auto fail = [&](std::size_t index, std::string_view token, const std::string& problem) {
    throw ArgumentError(fmt::format("--arch \"{}\": token {} \"{}\" {}", spec, index + 1, token, problem));
  };
  if (trim(spec).empty()) throw ArgumentError(fmt::format("--arch \"{}\": no layers", spec));
  SampleShape shape = input;
  const std::vector<std::string_view> tokens = split(spec, ',');
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string_view token = trim(tokens[i]);
    const Parsed parsed = parse_token(token);
    if (!parsed.spec) fail(i, token, parsed.problem);
    if (std::string problem = shape_problem(*parsed.spec, shape); !problem.empty()) fail(i, token, problem);
    shape = shape_after(*parsed.spec, shape);
    a.layers.push_back(*parsed.spec);
    a.shapes.push_back(shape);
  }
  return a;
}

Architecture parse_layers(std::string_view sizes, std::string_view activation, SampleShape input,
                          std::string_view output_activation) {
  const std::vector<std::string_view> tokens = split(sizes, ',');
  std::vector<std::size_t> units;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string_view token = trim(tokens[i]);
    const auto n = number(token);
    if (has_huge_number(token))
      throw ArgumentError(
          fmt::format("--layers \"{}\": token {} \"{}\" is larger than {}", sizes, i + 1, token, kLargest));
    if (!n || *n == 0)
      throw ArgumentError(fmt::format("--layers \"{}\": token {} \"{}\" is not a size (expected a positive integer)",
                                      sizes, i + 1, token));
    units.push_back(*n);
  }
  if (units.size() < 2)
    throw ArgumentError(fmt::format("--layers \"{}\": needs at least two sizes (the input's and the output's)", sizes));
  if (units[0] != input.size())
    throw ArgumentError(fmt::format("--layers \"{}\": token 1 \"{}\" is not the input's size {}{}", sizes,
                                    trim(tokens[0]), input.size(),
                                    input.flat() ? std::string() : " (" + to_string(input) + ")"));
  const LayerSpec hidden = activation_option("--activation", activation);
  const std::optional<LayerSpec> output =
      output_activation.empty() ? std::nullopt
                                : std::optional(activation_option("--output-activation", output_activation));
  Architecture a{.input = flat_shape(input.size()), .layers = {}, .shapes = {}};
  const auto add = [&](const LayerSpec& spec) {
    a.shapes.push_back(shape_after(spec, a.shapes.empty() ? a.input : a.shapes.back()));
    a.layers.push_back(spec);
  };
  for (std::size_t i = 1; i < units.size(); ++i) {
    add({.kind = LayerKind::kDense, .units = units[i]});
    if (i + 1 < units.size()) add(hidden);
  }
  if (output) add(*output);
  return a;
}

std::string to_string(const Architecture& architecture) {
  std::string text;
  for (const LayerSpec& spec : architecture.layers) text += (text.empty() ? "" : ",") + to_string(spec);
  return text;
}

}  // namespace gibbs::nn
