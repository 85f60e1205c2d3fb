// libgibbs-cnn.so: a convolutional network written as an --arch spec (conv2d, maxpool,
// flatten, dense, activations), classifying images.
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/feedforward/feedforward_model.h"
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::feedforward {
namespace {

struct CnnOptions {
  std::string arch;
  TaskOption task;
  TrainingOptions training;

  template <class V>
  void for_each(V& v) {
    v(arch, "arch", "conv3x3:32,relu,maxpool2,conv3x3:64,relu,maxpool2,flatten,dense:128,relu,dense:10",
      "the layers, comma-separated: convKxK:F[:sS][:pP], maxpoolK[:sS], flatten, dense:N, relu, tanh, sigmoid, "
      "sign, identity (the default is the course notebook's CNN)");
    task.for_each(v);
    training.for_each(v);
  }
};

class CnnModel final : public FeedForwardModel {
 public:
  CnnModel() : FeedForwardModel("cnn", std::nullopt) {}

 private:
  std::vector<Stage> build(const Config& config, nn::SampleShape input) const override {
    return {{"", nn::parse_arch(read_options<CnnOptions>(config).arch, input)}};
  }
};

const gibbs_plugin_descriptor& cnn_descriptor() {
  return descriptor<CnnModel, CnnOptions>(
      "cnn", "Convolutional network: conv2d, maxpool and dense layers from an --arch spec, trained by backpropagation");
}

}  // namespace
}  // namespace gibbs::feedforward

GIBBS_PLUGIN(gibbs::feedforward::cnn_descriptor())
