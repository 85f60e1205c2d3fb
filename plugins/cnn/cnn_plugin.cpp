// libgibbs-cnn.so: a convolutional network written as an --arch spec (conv2d, maxpool,
// flatten, dense, activations), classifying images.
#include <optional>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/feedforward/feedforward_model.h"
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::feedforward {
namespace {

struct CnnOptions {
  static constexpr const char* kName = "cnn";
  static constexpr const char* kSummary =
      "Convolutional network: conv2d, maxpool and dense layers from an --arch spec, trained by backpropagation";
  static constexpr std::optional<Task> kTask = std::nullopt;  // --task

  std::string arch;
  TaskOption task;
  TrainingOptions training;

  template <class V>
  void for_each(V& v) {
    v(arch, "arch", "conv3x3:32,relu,maxpool2,conv3x3:64,relu,maxpool2,flatten,dense:128,relu,dense:10",
      "the layers, comma-separated: convKxK:F[:sS][:pP], maxpoolK[:sS], flatten, dense:N, relu, tanh, sigmoid, "
      "sign, identity (the default is the course notebook's CNN)",
      fixed());
    task.for_each(v);
    training.for_each(v);
  }

  std::vector<Stage> build(nn::SampleShape input) const { return {{"", nn::parse_arch(arch, input)}}; }
};

}  // namespace
}  // namespace gibbs::feedforward

GIBBS_PLUGIN(gibbs::feedforward::descriptor<gibbs::feedforward::CnnOptions>())
