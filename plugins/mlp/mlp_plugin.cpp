// libgibbs-mlp.so: a multilayer perceptron of dense layers (--layers 784,128,10), for
// classification (class labels, or a single sign-scored output) and regression.
#include <optional>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/feedforward/feedforward_model.h"
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::feedforward {
namespace {

struct MlpOptions {
  static constexpr const char* kName = "mlp";
  static constexpr const char* kSummary =
      "Multilayer perceptron: dense layers trained by backpropagation (classification or regression)";
  static constexpr std::optional<Task> kTask = std::nullopt;  // --task

  std::string layers, activation, output_activation;
  TaskOption task;
  TrainingOptions training;

  template <class V>
  void for_each(V& v) {
    v(layers, "layers", "784,128,200,400,10", "layer sizes from the input's to the output's (dense layers between)",
      fixed());
    v(activation, "activation", "relu", "after each hidden layer: relu, tanh, sigmoid or sign",
      fixed(one_of({"relu", "tanh", "sigmoid", "sign"})));
    v(output_activation, "output-activation", "identity",
      "after the last layer: identity (class logits, regression), tanh, sigmoid or sign (single-output classifiers)",
      fixed(one_of({"identity", "tanh", "sigmoid", "sign"})));
    task.for_each(v);
    training.for_each(v);
  }

  std::vector<Stage> build(nn::SampleShape input) const {
    return {{"", nn::parse_layers(layers, activation, input, feedforward::output_activation(output_activation))}};
  }
};

}  // namespace
}  // namespace gibbs::feedforward

GIBBS_PLUGIN(gibbs::feedforward::descriptor<gibbs::feedforward::MlpOptions>())
