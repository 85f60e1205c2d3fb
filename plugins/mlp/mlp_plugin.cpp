// libgibbs-mlp.so: a multilayer perceptron of dense layers (--layers 784,128,10), for
// classification (class labels, or a single sign-scored output) and regression.
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/feedforward/feedforward_model.h"
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::feedforward {
namespace {

struct MlpOptions {
  std::string layers, activation, output_activation;
  TaskOption task;
  TrainingOptions training;

  template <class V>
  void for_each(V& v) {
    v(layers, "layers", "784,128,200,400,10", "layer sizes from the input's to the output's (dense layers between)");
    v(activation, "activation", "relu", "after each hidden layer: relu, tanh, sigmoid or sign",
      one_of({"relu", "tanh", "sigmoid", "sign"}));
    v(output_activation, "output-activation", "identity",
      "after the last layer: identity (class logits, regression), tanh, sigmoid or sign (single-output classifiers)",
      one_of({"identity", "tanh", "sigmoid", "sign"}));
    task.for_each(v);
    training.for_each(v);
  }
};

class MlpModel final : public FeedForwardModel {
 public:
  MlpModel() : FeedForwardModel("mlp", std::nullopt) {}

 private:
  std::vector<Stage> build(const Config& config, nn::SampleShape input) const override {
    const MlpOptions o = read_options<MlpOptions>(config);
    return {{"", nn::parse_layers(o.layers, o.activation, input, output_activation(o.output_activation))}};
  }
};

const gibbs_plugin_descriptor& mlp_descriptor() {
  return descriptor<MlpModel, MlpOptions>(
      "mlp", "Multilayer perceptron: dense layers trained by backpropagation (classification or regression)");
}

}  // namespace
}  // namespace gibbs::feedforward

GIBBS_PLUGIN(gibbs::feedforward::mlp_descriptor())
