// libgibbs-mlp.so: a multilayer perceptron of dense layers (--layers 784,128,10), for
// classification (class labels, or a single sign-scored output) and regression.
#include <array>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/feedforward/feedforward_model.h"
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::feedforward {
namespace {

class MlpModel final : public FeedForwardModel {
 public:
  MlpModel() : FeedForwardModel("mlp", std::nullopt) {}

 private:
  std::vector<Stage> build(const Config& config, nn::SampleShape input) const override {
    const std::string output = config_string(config, "output-activation");
    return {{"", nn::parse_layers(config_string(config, "layers"), config_string(config, "activation"), input,
                                  output == "identity" ? std::string() : output)}};
  }
};

constexpr auto kOptions = with_training_options(std::array<gibbs_plugin_option, 4>{{
    {"layers", "string", "784,128,200,400,10", "layer sizes from the input's to the output's (dense layers between)"},
    {"activation", "string", "relu", "after each hidden layer: relu, tanh, sigmoid or sign"},
    {"output-activation", "string", "identity",
     "after the last layer: identity (class logits, regression), tanh, sigmoid or sign (single-output classifiers)"},
    {"task", "string", "auto",
     "classify (labels: softmax cross-entropy, or a single output scored by sign), regress (targets, MSE), "
     "or auto (regress when the data has targets)"},
}});

constexpr gibbs_plugin_descriptor kDescriptor = descriptor<MlpModel>(
    "mlp",
    "Multilayer perceptron: dense layers trained by backpropagation (classification or regression)",
    kOptions);

}  // namespace
}  // namespace gibbs::feedforward

GIBBS_PLUGIN(gibbs::feedforward::kDescriptor)
