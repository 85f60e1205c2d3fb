// gibbs.sampler:rbm — an RBM's parameters and its two conditionals, on minibatches.
//   Bernoulli visibles:  E(v, h) = −b·v − c·h − vᵀWh,        P(v_i = 1 | h) = σ(b_i + W_i·h)
//   Gaussian visibles (unit variance): E(v, h) = ½‖v − b‖² − c·h − vᵀWh,  v | h ~ N(b + Wh, 1)
//   Hidden units are Bernoulli: P(h_j = 1 | v) = σ(c_j + vᵀW_j).
module;
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
export module gibbs.sampler:rbm;
import gibbs.core;
import gibbs.random;

export namespace gibbs::sampler {

enum class VisibleUnits { bernoulli, gaussian };
std::string_view to_string(VisibleUnits units);           // "bernoulli", "gaussian"
VisibleUnits parse_visible_units(std::string_view text);  // ArgumentError otherwise

class Rbm {
 public:
  Rbm() = default;
  // Zero weights and biases.
  Rbm(std::size_t visible, std::size_t hidden, VisibleUnits units);

  std::size_t visible() const { return weights_.rows(); }
  std::size_t hidden() const { return weights_.cols(); }
  VisibleUnits units() const { return units_; }

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

  // P(h = 1 | v) for each row of v ([rows, visible] → [rows, hidden]).
  void hidden_probabilities(ConstView<float> v, MatrixView<float> h) const;
  // c + vW, the hidden units' total input.
  void hidden_inputs(ConstView<float> v, MatrixView<float> a) const;
  // E[v | h]: σ(b + hWᵀ) for Bernoulli visibles, b + hWᵀ (clipped) for Gaussian ones.
  void visible_means(ConstView<float> h, MatrixView<float> v) const;
  // b + hWᵀ without the sigmoid or the clipping.
  void visible_inputs(ConstView<float> h, MatrixView<float> a) const;

  // Samples, drawn at positions offset + r·cols + c of the stream: hidden states from
  // probabilities; visible states from means (Bernoulli draws, or mean + N(0, 1)).
  // out may be the input itself, except for Gaussian visibles (ArgumentError).
  void sample_hidden(random::Stream s, std::uint64_t offset, ConstView<float> probabilities,
                     MatrixView<float> out) const;
  void sample_visible(random::Stream s, std::uint64_t offset, ConstView<float> means, MatrixView<float> out) const;

 private:
  Matrix<float> storage_;      // [visible, hidden rounded up to 16]
  MatrixView<float> weights_;  // its first hidden columns
  Matrix<float> biases_;       // one row: visible_bias, then hidden_bias
  std::span<float> visible_bias_, hidden_bias_;
  VisibleUnits units_ = VisibleUnits::bernoulli;
  float visible_clip_ = 0.0f;

 public:
  Rbm(const Rbm& other);
  Rbm& operator=(const Rbm& other);
  Rbm(Rbm&&) noexcept = default;
  Rbm& operator=(Rbm&&) noexcept = default;
};

// Weight initialisations, drawn from random::streams::model_init(seed): N(0, σ²), or uniform in
// ±4·sqrt(6/(visible + hidden)) (the Theano tutorial's). Biases are left as they are.
void initialize_normal(Rbm& rbm, float sigma, std::uint64_t seed);
void initialize_uniform_glorot4(Rbm& rbm, std::uint64_t seed);

}  // namespace gibbs::sampler
