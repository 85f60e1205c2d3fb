// gibbs.sampler:contrastive — one minibatch of contrastive divergence (CD-k) or persistent
// CD-k (PCD-k, Tieleman 2008) on an RBM.
module;
#include <cstddef>
#include <cstdint>
#include <span>
export module gibbs.sampler:contrastive;
import gibbs.core;
import :rbm;

export namespace gibbs::sampler {

struct ContrastiveSettings {
  std::size_t k = 1;          // Gibbs steps per update
  bool persistent = false;    // PCD: chains carry over between updates
  std::size_t chains = 0;     // PCD: persistent chains (0: the batch size)
  bool momentum = false;      // keep velocities (momentum may still be 0 at times)
  float weight_decay = 0;     // L2, on the weights only
  float sparsity_target = 0;  // 0: no sparsity penalty
  float sparsity_cost = 0;
  bool visible_bias = true;    // false: b stays as it is
  bool visible_means = false;  // the negative phase from E[v | h] instead of a sample of v
};

// A step on a batch v0 of B rows, with h0 = P(h | v0) and (v_k, h_k) the end of the chain,
// v_k sampled and h_k = P(h | v_k):
//   grad W = v0ᵀh0 / B − v_kᵀh_k / C,  grad b = Σv0 / B − Σv_k / C,  grad c = Σh0 / B − Σh_k / C
// (C = B for CD, the chain count for PCD). Without momentum θ += lr·(grad − wd·θ_W); with it
// Δ = μ·Δ + lr·(grad − wd·θ_W), θ += Δ. The sparsity penalty (Hinton's practical guide, §11)
// keeps q, a running mean of every hidden unit's P(h | v0) (q ← 0.9 q + 0.1 mean), and adds
// cost·(target − q_j) to unit j's positive statistics, so both c_j and W_·j feel it.
// CD chains start at a sample of h0; PCD chains start where the last update left them (at
// h = 0 the first time, as the Theano tutorial does). The chains read Wᵀ, transposed once per
// update, unless one product by W in place costs less (Rbm::transpose_weights). Draws come from the streams
// random::streams::rbm_draw(seed, hidden | visible, step): any thread count, the same result.
class ContrastiveDivergence {
 public:
  ContrastiveDivergence(const Rbm& rbm, std::size_t batch_size, const ContrastiveSettings& settings);

  // Returns, for CD, the mean squared difference between v0 and the chain's first visible
  // means (a cheap error for progress lines); NaN for PCD, whose chains do not start at v0.
  double step(Rbm& rbm, ConstView<float> v0, float learning_rate, float momentum, std::uint64_t seed,
              std::uint64_t step);

  // The same update cut into shards (gibbs::Shard): shard_step writes the gradient of the rows
  // v0 of a minibatch of `batch_rows`, the first of them row `first_row`, into `gradient`
  // (gradient_size() floats), running the shard's chains (CD: its rows; PCD: rows `chains` of
  // the persistent chains) and changing nothing else. It returns the shard's share of step's
  // error. apply_step makes the update from the shards' gradients summed (it may overwrite
  // them). Layout: [W (visible × hidden) | b | c], and with a sparsity target [Σh0 | Σv0] too,
  // the penalty being added in apply_step, which alone knows the whole minibatch's activity.
  std::size_t gradient_size() const;
  double shard_step(const Rbm& rbm, ConstView<float> v0, std::size_t first_row, std::size_t batch_rows,
                    std::size_t first_chain, std::size_t chains, std::uint64_t seed, std::uint64_t step,
                    std::span<float> gradient);
  void apply_step(Rbm& rbm, std::span<float> gradient, std::size_t batch_rows, float learning_rate, float momentum);

  const ContrastiveSettings& settings() const { return settings_; }

  // The GEMMs' multiply-adds of a full minibatch's step, per data row: P(h | v0) of the B rows,
  // k Gibbs steps (Wᵀ and W) of the C chains, and the weight gradient over rows and chains:
  // (2B + (2k + 1)·C)·visible·hidden / B.
  double multiply_adds_per_row() const;

  // State a checkpoint keeps so that training resumes exactly.
  Matrix<float>& weight_velocity() { return weight_velocity_; }  // [visible, hidden]
  Matrix<float>& bias_velocity() { return bias_velocity_; }      // [1, visible + hidden]
  Matrix<float>& persistent_hidden() { return chain_hidden_; }   // [chains, hidden]
  Matrix<float>& hidden_activity() { return hidden_activity_; }  // [1, hidden]: q
  const Matrix<float>& weight_velocity() const { return weight_velocity_; }
  const Matrix<float>& bias_velocity() const { return bias_velocity_; }
  const Matrix<float>& persistent_hidden() const { return chain_hidden_; }
  const Matrix<float>& hidden_activity() const { return hidden_activity_; }

 private:
  // The positive and negative phases for `rows` rows v0 (visible_ and hidden_ rows [0, rows)) and
  // `chains` chains, rows first_chain... of the step's `all_chains` (rows [rows, rows + chains)
  // of visible_ and hidden_); returns Σ(v0 − E[v | h0 sample])² for CD, NaN for PCD.
  double run_chains(const Rbm& rbm, ConstView<float> v0, std::size_t first_chain, std::size_t chains,
                    std::size_t all_chains, std::uint64_t seed, std::uint64_t step);
  // The bias gradients (times B) of the stacked [v0; v_k], [h0; h_k] of `rows` rows and `chains`
  // chains: Σv0 − ratio·Σv_k and Σh0 − ratio·Σh_k, h_k scaled by −ratio in place, ready for the
  // weight GEMM over the stacked rows (ratio = B/C).
  void bias_gradients(std::size_t rows, std::size_t chains, float ratio, std::span<float> visible_gradient,
                      std::span<float> hidden_gradient);
  // b and c from their gradients (times B) `gradient` [b | c] at `rate` = lr / B, with momentum.
  void update_biases(Rbm& rbm, std::span<const float> gradient, float rate, float momentum);

  ContrastiveSettings settings_;
  std::size_t batch_size_;
  Matrix<float> visible_;       // [batch + chains, visible]: v0 above v_k
  Matrix<float> hidden_;        // [batch + chains, hidden]: h0 above h_k
  Matrix<float> means_;         // [chains, visible]: E[v | h] of the chain
  Matrix<float> first_means_;   // [chains, visible]: CD-k's means of the first step (k > 1)
  Matrix<float> chain_hidden_;  // [chains, hidden]: the chain's hidden state
  // Wᵀ, transposed once a step for the chain's k visible steps (Rbm::transpose_weights).
  Matrix<float> weights_transposed_;
  Matrix<float> weight_velocity_, bias_velocity_, hidden_activity_;
  Matrix<float> gradient_;    // [1, visible + hidden]: the bias gradients
  Matrix<float> model_sums_;  // [1, visible]: Σv_k
};

}  // namespace gibbs::sampler
