// libgibbs-cnn.so: a convolutional network written as an --arch spec (conv2d, maxpool,
// flatten, dense, activations), classifying images.
#include <array>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/feedforward/feedforward_model.h"
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::feedforward {
namespace {

class CnnModel final : public FeedForwardModel {
 public:
  CnnModel() : FeedForwardModel("cnn", std::nullopt) {}

 private:
  std::vector<Stage> build(const Config& config, nn::SampleShape input) const override {
    return {{"", nn::parse_arch(config_string(config, "arch"), input)}};
  }
};

constexpr auto kOptions = with_training_options(std::array<gibbs_plugin_option, 2>{{
    {"arch", "string", "conv3x3:32,relu,maxpool2,conv3x3:64,relu,maxpool2,flatten,dense:128,relu,dense:10",
     "the layers, comma-separated: convKxK:F[:sS][:pP], maxpoolK[:sS], flatten, dense:N, relu, tanh, sigmoid, "
     "sign, identity (the default is the course notebook's CNN)"},
    {"task", "string", "auto", "classify (labels, softmax cross-entropy), regress (targets, MSE), or auto"},
}});

constexpr gibbs_plugin_descriptor kDescriptor = descriptor<CnnModel>(
    "cnn",
    "Convolutional network: conv2d, maxpool and dense layers from an --arch spec, trained by backpropagation",
    kOptions);

}  // namespace
}  // namespace gibbs::feedforward

GIBBS_PLUGIN(gibbs::feedforward::kDescriptor)
