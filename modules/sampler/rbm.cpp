// gibbs.sampler:rbm — conditionals as GEMMs with the fused bias (+ sigmoid) epilogue.
module;
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numbers>
#include <span>
#include <string_view>
module gibbs.sampler;
import gibbs.core;
import gibbs.random;
import gibbs.simd;

namespace gibbs::sampler {
namespace {

constexpr std::size_t kPadFloats = kAlignment / sizeof(float);

// Rows of W an odd number of cache lines apart: rows a power of two of lines apart fall on a few
// of L1's sets, and the binary GEMM, which reads many rows of W in turn, would then have to copy
// W on every call to keep them in L1.
std::size_t padded(std::size_t n) {
  const std::size_t lines = (n + kPadFloats - 1) / kPadFloats;
  return (lines | 1) * kPadFloats;
}

void clip(MatrixView<float> m, float limit) {
  for (std::size_t r = 0; r < m.rows(); ++r)
    for (float& x : m.row(r)) x = std::clamp(x, -limit, limit);
}

void check_samples(bool bernoulli, const char* layer, ConstView<float> means, ConstView<float> out) {
  if (!bernoulli && means.data() == out.data())
    throw ArgumentError(fmt::format("Gaussian {} samples cannot overwrite their means", layer));
}

// Bernoulli draws from the means, or mean + N(0, 1) (Gaussian units, into another matrix).
void sample_units(bool bernoulli, const char* layer, random::Stream s, std::uint64_t offset, ConstView<float> means,
                  MatrixView<float> out) {
  if (bernoulli) return random::bernoulli(s, offset, means, out);
  check_samples(bernoulli, layer, means, out);
  random::normal(s, offset, out);  // checks the shape
  simd::axpy(1.0f, means, out);
}

// For the GEMM that computes `means`: each finished block sampled into `out` at the positions
// sample_units draws the whole matrix's.
std::function<void(std::size_t, std::size_t, std::size_t, std::size_t)> sample_blocks(bool bernoulli, const char* layer,
                                                                                      random::Stream s,
                                                                                      std::uint64_t offset,
                                                                                      MatrixView<float> means,
                                                                                      MatrixView<float> out) {
  expect_shape(fmt::format("{} samples", layer), out.shape(), means.shape());
  check_samples(bernoulli, layer, means, out);
  return [=](std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1) {
    for (std::size_t r = r0; r < r1; ++r)
      sample_units(bernoulli, layer, s, offset + r * means.cols() + c0, means.block(r, c0, 1, c1 - c0),
                   out.block(r, c0, 1, c1 - c0));
  };
}

}  // namespace

void for_chain_groups(std::size_t chains, ConstView<float> transposed,
                      const std::function<void(std::size_t begin, std::size_t end)>& steps) {
  // Fewer chains a thread, and each product of a Gibbs step is split over the threads instead.
  constexpr std::size_t kChainsPerGroup = 8;
  if (transposed.empty()) return steps(0, chains);
  for_row_groups(chains, kChainsPerGroup, steps);
}

std::string_view to_string(VisibleUnits units) { return units == VisibleUnits::bernoulli ? "bernoulli" : "gaussian"; }

VisibleUnits parse_visible_units(std::string_view text) {
  if (text == "bernoulli") return VisibleUnits::bernoulli;
  if (text == "gaussian") return VisibleUnits::gaussian;
  throw ArgumentError(fmt::format("visible units '{}': expected bernoulli or gaussian", text));
}

std::string_view to_string(HiddenUnits units) { return units == HiddenUnits::bernoulli ? "bernoulli" : "gaussian"; }

HiddenUnits parse_hidden_units(std::string_view text) {
  if (text == "bernoulli") return HiddenUnits::bernoulli;
  if (text == "gaussian") return HiddenUnits::gaussian;
  throw ArgumentError(fmt::format("hidden units '{}': expected bernoulli or gaussian", text));
}

Rbm::Rbm(std::size_t visible, std::size_t hidden, VisibleUnits units, HiddenUnits hidden_units)
    : storage_(visible, padded(hidden)),
      weights_(storage_.view().block(0, 0, visible, hidden)),
      biases_(1, visible + hidden),
      visible_bias_(biases_.values().first(visible)),
      hidden_bias_(biases_.values().subspan(visible)),
      units_(units),
      hidden_units_(hidden_units) {
  if (visible == 0 || hidden == 0) throw ArgumentError("an RBM needs at least one visible and one hidden unit");
  if (units == VisibleUnits::gaussian && hidden_units == HiddenUnits::gaussian)
    throw ArgumentError("an RBM with Gaussian visible and Gaussian hidden units: one layer must be Bernoulli");
}

Rbm::Rbm(const Rbm& other)
    : storage_(other.storage_),
      weights_(storage_.view().block(0, 0, other.visible(), other.hidden())),
      biases_(other.biases_),
      visible_bias_(biases_.values().first(other.visible())),
      hidden_bias_(biases_.values().subspan(other.visible())),
      units_(other.units_),
      hidden_units_(other.hidden_units_),
      visible_clip_(other.visible_clip_) {}

Rbm& Rbm::operator=(const Rbm& other) {
  if (this != &other) *this = Rbm(other);
  return *this;
}

void Rbm::set_visible_clip(float clip) {
  if (!(clip >= 0)) throw ArgumentError(fmt::format("visible clip {} must be 0 (none) or positive", clip));
  visible_clip_ = clip;
}

void Rbm::hidden_means(ConstView<float> v, MatrixView<float> h) const {
  times_weights(v, h, hidden_units_ == HiddenUnits::bernoulli, {});
}

void Rbm::hidden_inputs(ConstView<float> v, MatrixView<float> a) const { times_weights(v, a, false, {}); }

void Rbm::sample_hidden_means(ConstView<float> v, MatrixView<float> means, random::Stream s, std::uint64_t offset,
                              MatrixView<float> out) const {
  const bool bernoulli = hidden_units_ == HiddenUnits::bernoulli;
  times_weights(v, means, bernoulli, sample_blocks(bernoulli, "hidden", s, offset, means, out));
}

void Rbm::times_weights(ConstView<float> v, MatrixView<float> out, bool sigmoid, BlockHook then) const {
  simd::gemm(v, weights_, out,
             {.column_bias = hidden_bias_,
              .activation = sigmoid ? simd::Activation::kSigmoid : simd::Activation::kIdentity,
              .a_binary = units_ == VisibleUnits::bernoulli,
              .then = std::move(then)});
}

void Rbm::visible_inputs(ConstView<float> h, MatrixView<float> a) const { visible_inputs(h, {}, a); }

void Rbm::visible_inputs(ConstView<float> h, ConstView<float> transposed, MatrixView<float> a) const {
  times_transposed_weights(h, transposed, a, false, {});
}

void Rbm::visible_means(ConstView<float> h, MatrixView<float> v) const { visible_means(h, {}, v, {}); }

void Rbm::visible_means(ConstView<float> h, ConstView<float> transposed, MatrixView<float> v) const {
  visible_means(h, transposed, v, {});
}

void Rbm::sample_visible_means(ConstView<float> h, ConstView<float> transposed, MatrixView<float> means,
                               random::Stream s, std::uint64_t offset, MatrixView<float> out) const {
  const bool bernoulli = units_ == VisibleUnits::bernoulli;
  visible_means(h, transposed, means, sample_blocks(bernoulli, "visible", s, offset, means, out));
}

void Rbm::visible_means(ConstView<float> h, ConstView<float> transposed, MatrixView<float> v, BlockHook then) const {
  const bool bernoulli = units_ == VisibleUnits::bernoulli;
  // Gaussian means are clipped block by block, before `then` sees them.
  if (!bernoulli && visible_clip_ > 0)
    then = [limit = visible_clip_, v, then = std::move(then)](std::size_t r0, std::size_t r1, std::size_t c0,
                                                              std::size_t c1) {
      clip(v.block(r0, c0, r1 - r0, c1 - c0), limit);
      if (then) then(r0, r1, c0, c1);
    };
  times_transposed_weights(h, transposed, v, bernoulli, std::move(then));
}

void Rbm::times_transposed_weights(ConstView<float> h, ConstView<float> transposed, MatrixView<float> out, bool sigmoid,
                                   BlockHook then) const {
  const simd::Activation activation = sigmoid ? simd::Activation::kSigmoid : simd::Activation::kIdentity;
  const bool binary = hidden_units_ == HiddenUnits::bernoulli;
  if (transposed.empty()) {
    simd::gemm(h, weights_, out,
               {.transpose_b = true,
                .column_bias = visible_bias_,
                .activation = activation,
                .a_binary = binary,
                .then = std::move(then)});
    return;
  }
  expect_shape("the RBM's transposed weights", transposed.shape(), {hidden(), visible()});
  simd::gemm(h, transposed, out,
             {.column_bias = visible_bias_, .activation = activation, .a_binary = binary, .then = std::move(then)});
}

double Rbm::hidden_term(std::span<const float> a, std::span<float> scratch) const {
  double total = 0;
  if (hidden_units_ == HiddenUnits::bernoulli) {
    const std::span<float> out = scratch.first(a.size());
    simd::softplus(a, out);
    for (const float x : out) total += x;
    return total;
  }
  for (const float x : a) total += 0.5 * double{x} * x;
  return total + static_cast<double>(a.size()) * 0.5 * std::log(2 * std::numbers::pi);
}

void Rbm::transpose_weights(std::size_t steps, std::size_t rows, Matrix<float>& out) const {
  if (steps == 0 || (steps == 1 && simd::transposed_product_reads_b_in_place(rows, visible(), hidden()))) {
    out = Matrix<float>();
    return;
  }
  if (out.rows() != hidden() || out.cols() != visible()) out = Matrix<float>(hidden(), visible());
  simd::transpose(weights_, out);
}

void Rbm::sample_hidden(random::Stream s, std::uint64_t offset, ConstView<float> means, MatrixView<float> out) const {
  sample_units(hidden_units_ == HiddenUnits::bernoulli, "hidden", s, offset, means, out);
}

void Rbm::sample_visible(random::Stream s, std::uint64_t offset, ConstView<float> means, MatrixView<float> out) const {
  sample_units(units_ == VisibleUnits::bernoulli, "visible", s, offset, means, out);
}

void initialize_normal(Rbm& rbm, float sigma, std::uint64_t seed) {
  random::normal(random::streams::model_init(seed), 0, rbm.weights(), 0.0f, sigma);
}

void initialize_uniform_glorot4(Rbm& rbm, std::uint64_t seed) {
  const auto limit = static_cast<float>(4.0 * std::sqrt(6.0 / static_cast<double>(rbm.visible() + rbm.hidden())));
  random::uniform(random::streams::model_init(seed), 0, rbm.weights());
  for (std::size_t r = 0; r < rbm.visible(); ++r)
    for (float& w : rbm.weights().row(r)) w = (2.0f * w - 1.0f) * limit;
}

}  // namespace gibbs::sampler
