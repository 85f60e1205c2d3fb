// libgibbs-logreg.so: an example model plugin, built out of gibbs's tree against the installed
// package (README, "Writing a plugin"). Multinomial logistic regression: p(class | x) =
// softmax(x W + b), trained by minibatch gradient descent on the mean cross-entropy.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "modules/plugin/descriptor.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;

namespace logreg {

// Declared once: the option table, `gibbs train --model logreg --help`, validation, the
// checkpoint's /config and its reading on --resume all derive from this list.
struct Options {
  double lr = 0;
  double l2 = 0;

  template <class V>
  void for_each(V& v) {
    v(lr, "lr", 0.1, "learning rate", gibbs::positive());
    v(l2, "l2", 0.0, "L2 penalty on the weights", gibbs::non_negative());
  }
};

class Model final : public gibbs::Model {
 public:
  std::string name() const override { return "logreg"; }

  void initialize(const gibbs::Config& config, const gibbs::io::DatasetInfo& info, const gibbs::Examples& train,
                  const gibbs::Setup&) override {
    options_ = gibbs::read_options<Options>(config);
    if (info.classes.size() < 2) throw gibbs::ArgumentError("logreg needs a dataset with two classes or more");
    weights_ = gibbs::Matrix<float>(train.x.cols(), info.classes.size());  // zeros: p is uniform
    bias_.assign(info.classes.size(), 0.0f);
  }

  void restore(const gibbs::io::Checkpoint& checkpoint, const gibbs::Setup&) override {
    options_ = gibbs::read_options<Options>(checkpoint.config);
    const auto w = checkpoint.params.find("W");
    if (w == checkpoint.params.end() || w->second.shape.size() != 2)
      throw gibbs::ArgumentError("the checkpoint has no /params/W [inputs, classes]");
    weights_ = gibbs::Matrix<float>(w->second.shape[0], w->second.shape[1]);
    bias_.assign(w->second.shape[1], 0.0f);
    gibbs::io::restore_tensors(tensors(), checkpoint);  // checks every shape
  }

  void save(gibbs::io::Checkpoint& checkpoint) const override {
    gibbs::io::save_tensors(const_cast<Model*>(this)->tensors(), checkpoint);
  }

  std::size_t input_size() const override { return weights_.rows(); }

  // One step down the gradient of the batch's mean cross-entropy (plus l2/2 ‖W‖²):
  // dW = xᵀ (p − onehot(y)) / rows + l2 W, db = the mean of p − onehot(y).
  double train_batch(const gibbs::Examples& batch, std::uint64_t) override {
    gibbs::Matrix<float> grad_w(weights_.rows(), weights_.cols());
    std::vector<float> grad_b(bias_.size(), 0.0f), p(bias_.size());
    double loss = 0;
    for (std::size_t r = 0; r < batch.x.rows(); ++r) {
      const std::span<const float> x = batch.x.row(r);
      const std::size_t y = label(batch, r);
      softmax(x, p);
      loss += cross_entropy(p, y);
      p[y] -= 1.0f;  // p − onehot(y): the gradient of the row's loss by its logits
      for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t c = 0; c < p.size(); ++c) grad_w(i, c) += x[i] * p[c];
      for (std::size_t c = 0; c < p.size(); ++c) grad_b[c] += p[c];
    }
    const auto rows = static_cast<float>(batch.x.rows()), lr = static_cast<float>(options_.lr);
    for (std::size_t i = 0; i < weights_.rows(); ++i)
      for (std::size_t c = 0; c < weights_.cols(); ++c)
        weights_(i, c) -= lr * (grad_w(i, c) / rows + static_cast<float>(options_.l2) * weights_(i, c));
    for (std::size_t c = 0; c < bias_.size(); ++c) bias_[c] -= lr * grad_b[c] / rows;
    return loss / rows;  // before the step
  }

  // loss: the mean cross-entropy; accuracy: the share of rows whose likeliest class is theirs.
  gibbs::Metrics evaluate(const gibbs::Examples& examples, std::uint64_t) const override {
    std::vector<float> p(bias_.size());
    double loss = 0, right = 0;
    for (std::size_t r = 0; r < examples.x.rows(); ++r) {
      const std::size_t y = label(examples, r);
      softmax(examples.x.row(r), p);
      loss += cross_entropy(p, y);
      right += likeliest(p) == y ? 1 : 0;
    }
    const double rows = examples.x.rows() == 0 ? 1.0 : static_cast<double>(examples.x.rows());
    return {{"loss", loss / rows}, {"accuracy", right / rows}};
  }
  std::string stopping_metric() const override { return "loss"; }

  // Each row's class probabilities, [rows, classes].
  gibbs::Matrix<float> predict(gibbs::ConstView<float> x) const override {
    gibbs::Matrix<float> out(x.rows(), bias_.size());
    std::vector<float> p(bias_.size());
    for (std::size_t r = 0; r < x.rows(); ++r) {
      softmax(x.row(r), p);
      for (std::size_t c = 0; c < p.size(); ++c) out(r, c) = p[c];
    }
    return out;
  }
  std::vector<std::int32_t> classify(gibbs::ConstView<float> x) const override {
    std::vector<std::int32_t> classes(x.rows());
    std::vector<float> p(bias_.size());
    for (std::size_t r = 0; r < x.rows(); ++r) {
      softmax(x.row(r), p);
      classes[r] = static_cast<std::int32_t>(likeliest(p));
    }
    return classes;
  }

 private:
  // The checkpoint's tensors, listed once for save and restore: /params/W and /params/b.
  std::vector<gibbs::io::TensorSlot> tensors() {
    return {gibbs::io::tensor_slot("params", "W", weights_.view()), gibbs::io::tensor_slot("params", "b", bias_)};
  }

  // p = softmax(x W + b), the largest logit subtracted before exp so that none overflows.
  void softmax(std::span<const float> x, std::vector<float>& p) const {
    for (std::size_t c = 0; c < p.size(); ++c) {
      double z = bias_[c];
      for (std::size_t i = 0; i < x.size(); ++i) z += static_cast<double>(x[i]) * weights_(i, c);
      p[c] = static_cast<float>(z);
    }
    float top = p[0];
    for (const float z : p) top = z > top ? z : top;
    double sum = 0;
    for (float& z : p) sum += (z = std::exp(z - top));
    for (float& z : p) z = static_cast<float>(z / sum);
  }

  // −log p[y], finite even where p[y] underflowed to 0.
  static double cross_entropy(const std::vector<float>& p, std::size_t y) {
    return -std::log(std::max(static_cast<double>(p[y]), 1e-30));
  }

  static std::size_t likeliest(const std::vector<float>& p) {
    std::size_t best = 0;
    for (std::size_t c = 1; c < p.size(); ++c) best = p[c] > p[best] ? c : best;
    return best;
  }

  std::size_t label(const gibbs::Examples& examples, std::size_t row) const {
    if (examples.y.size() != examples.x.rows()) throw gibbs::ArgumentError("logreg needs class labels (y)");
    const std::int32_t y = examples.y[row];
    if (y < 0 || static_cast<std::size_t>(y) >= bias_.size())
      throw gibbs::ArgumentError("label " + std::to_string(y) + " is not one of the model's " +
                                 std::to_string(bias_.size()) + " classes");
    return static_cast<std::size_t>(y);
  }

  Options options_;
  gibbs::Matrix<float> weights_;  // [inputs, classes]
  std::vector<float> bias_;       // [classes]
};

}  // namespace logreg

namespace {

// The C descriptor, its option table derived from logreg::Options.
const gibbs_plugin_descriptor& descriptor() {
  return gibbs::plugin_descriptor<logreg::Model, logreg::Options>(
      {.name = "logreg",
       .version = "1.0.0",
       .summary = "Multinomial logistic regression (softmax), an example plugin built out of tree",
       .default_batch_size = 32});
}

}  // namespace

GIBBS_PLUGIN(descriptor())
