// gibbs.sampler:rbm — an RBM's parameters and its two conditionals, on minibatches.
//   Bernoulli visibles:  E(v, h) = −b·v − c·h − vᵀWh,        P(v_i = 1 | h) = σ(b_i + W_i·h)
//   Gaussian visibles (unit variance): E(v, h) = ½‖v − b‖² − c·h − vᵀWh,  v | h ~ N(b + Wh, 1)
//   Bernoulli hidden units: P(h_j = 1 | v) = σ(c_j + vᵀW_j).
//   Gaussian hidden units (unit variance, Hinton & Salakhutdinov's linear code layer): E gains
//   ½‖h‖², and h | v ~ N(c + vᵀW, 1). Only with Bernoulli visibles (two Gaussian layers have no
//   normalisable distribution for every W).
module;
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
export module gibbs.sampler:rbm;
import gibbs.core;
import gibbs.random;

export namespace gibbs::sampler {

enum class VisibleUnits { bernoulli, gaussian };
std::string_view to_string(VisibleUnits units);  // "bernoulli", "gaussian"
enum class HiddenUnits { bernoulli, gaussian };
std::string_view to_string(HiddenUnits units);            // "bernoulli", "gaussian"
HiddenUnits parse_hidden_units(std::string_view text);    // ArgumentError otherwise
VisibleUnits parse_visible_units(std::string_view text);  // ArgumentError otherwise

class Rbm {
 public:
  Rbm() = default;
  // Zero weights and biases.
  Rbm(std::size_t visible, std::size_t hidden, VisibleUnits units, HiddenUnits hidden_units = HiddenUnits::bernoulli);

  std::size_t visible() const { return weights_.rows(); }
  std::size_t hidden() const { return weights_.cols(); }
  VisibleUnits units() const { return units_; }
  HiddenUnits hidden_units() const { return hidden_units_; }

  // W [visible, hidden]. Rows are padded to 64 bytes (the stride may exceed hidden()).
  MatrixView<float> weights() { return weights_; }
  ConstView<float> weights() const { return weights_; }
  std::span<float> visible_bias() { return visible_bias_; }
  std::span<const float> visible_bias() const { return visible_bias_; }
  std::span<float> hidden_bias() { return hidden_bias_; }
  std::span<const float> hidden_bias() const { return hidden_bias_; }

  // Gaussian visibles only: means are clipped to [−clip, clip] (0: no clipping), as the course
  // notebook does before sampling and reconstructing.
  void set_visible_clip(float clip);

  // E[h | v] for each row of v ([rows, visible] → [rows, hidden]): P(h = 1 | v) = σ(c + vW) for
  // Bernoulli hidden units, c + vW for Gaussian ones.
  void hidden_means(ConstView<float> v, MatrixView<float> h) const;
  // c + vW, the hidden units' total input.
  void hidden_inputs(ConstView<float> v, MatrixView<float> a) const;
  // E[v | h]: σ(b + hWᵀ) for Bernoulli visibles, b + hWᵀ (clipped) for Gaussian ones.
  void visible_means(ConstView<float> h, MatrixView<float> v) const;
  // b + hWᵀ without the sigmoid or the clipping.
  void visible_inputs(ConstView<float> h, MatrixView<float> a) const;
  // For a loop of `steps` visible steps of `rows` rows each on one W: Wᵀ [hidden, visible] into
  // `out` (reallocated to that shape), or `out` emptied where a single product reads W in place
  // for less (simd::transposed_product_reads_b_in_place). Any other product by W's transpose
  // reorders all of W on the call, so one copy costs no more, and groups of chains can share it.
  void transpose_weights(std::size_t steps, std::size_t rows, Matrix<float>& out) const;
  // The same two with `transposed` from transpose_weights: Wᵀ read in place or, when it is
  // empty, W's transpose taken within the product. Both give the same bits, except where the
  // product takes the dot-product kernel (few rows of h): it adds hWᵀ's sums over the hidden
  // units in another order.
  void visible_means(ConstView<float> h, ConstView<float> transposed, MatrixView<float> v) const;
  void visible_inputs(ConstView<float> h, ConstView<float> transposed, MatrixView<float> a) const;
  // The hidden layer's part of −F(v) for hidden inputs a = c + vW, summed in double in unit
  // order: Σ_j softplus(a_j) (Bernoulli), or Σ_j (a_j²/2 + log √(2π)) (Gaussian). `scratch` has
  // room for a.
  double hidden_term(std::span<const float> a, std::span<float> scratch) const;

  // Samples from the means, drawn at positions offset + r·cols + c of the stream: Bernoulli
  // draws, or mean + N(0, 1) for Gaussian units. out may be the means themselves for Bernoulli
  // units only (Gaussian: ArgumentError).
  void sample_hidden(random::Stream s, std::uint64_t offset, ConstView<float> means, MatrixView<float> out) const;
  void sample_visible(random::Stream s, std::uint64_t offset, ConstView<float> means, MatrixView<float> out) const;
  // A half-step at once: hidden_means (or visible_means from `transposed`), then sample_hidden
  // (sample_visible) from them, the same values and draws. Each block of the means is sampled by
  // the core that computed it, while it is in that core's cache.
  void sample_hidden_means(ConstView<float> v, MatrixView<float> means, random::Stream s, std::uint64_t offset,
                           MatrixView<float> out) const;
  void sample_visible_means(ConstView<float> h, ConstView<float> transposed, MatrixView<float> means, random::Stream s,
                            std::uint64_t offset, MatrixView<float> out) const;

 private:
  // What the GEMM calls for each finished block of its output (simd::GemmOptions::then).
  using BlockHook = std::function<void(std::size_t, std::size_t, std::size_t, std::size_t)>;
  // c + vW, or its sigmoid.
  void times_weights(ConstView<float> v, MatrixView<float> out, bool sigmoid, BlockHook then) const;
  // b + h·Wᵀ, or its sigmoid, from `transposed` (Wᵀ) when it is not empty.
  void times_transposed_weights(ConstView<float> h, ConstView<float> transposed, MatrixView<float> out, bool sigmoid,
                                BlockHook then) const;
  // E[v | h] (clipped Gaussian means included), `then` called on each finished block.
  void visible_means(ConstView<float> h, ConstView<float> transposed, MatrixView<float> v, BlockHook then) const;

  Matrix<float> storage_;      // [visible, hidden rounded up to 16]
  MatrixView<float> weights_;  // its first hidden columns
  Matrix<float> biases_;       // one row: visible_bias, then hidden_bias
  std::span<float> visible_bias_, hidden_bias_;
  VisibleUnits units_ = VisibleUnits::bernoulli;
  HiddenUnits hidden_units_ = HiddenUnits::bernoulli;
  float visible_clip_ = 0.0f;

 public:
  Rbm(const Rbm& other);
  Rbm& operator=(const Rbm& other);
  Rbm(Rbm&&) noexcept = default;
  Rbm& operator=(Rbm&&) noexcept = default;
};

// Runs steps(begin, end) over chains [0, chains) cut into groups, each group's Gibbs steps on one
// core from end to end (gibbs::for_row_groups; a chain reads only its own rows), when the visible
// steps read `transposed` (Wᵀ). With W read in place instead (an empty `transposed`), the GEMM's
// kernel for h·Wᵀ depends on the rows it is given, so one call then takes all the chains.
void for_chain_groups(std::size_t chains, ConstView<float> transposed,
                      const std::function<void(std::size_t begin, std::size_t end)>& steps);

// Weight initialisations, drawn from random::streams::model_init(seed): N(0, σ²), or uniform in
// ±4·sqrt(6/(visible + hidden)) (the Theano tutorial's). Biases are left as they are.
void initialize_normal(Rbm& rbm, float sigma, std::uint64_t seed);
void initialize_uniform_glorot4(Rbm& rbm, std::uint64_t seed);

}  // namespace gibbs::sampler
