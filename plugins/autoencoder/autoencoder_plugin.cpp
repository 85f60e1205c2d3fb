// libgibbs-autoencoder.so: a dense encoder (--layers 784,128,64,12,20, a linear code) and its
// mirror image as decoder, trained to reconstruct the input under MSE.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/feedforward/feedforward_model.h"
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::feedforward {
namespace {

struct AutoencoderOptions {
  std::string layers, activation, output_activation;
  TrainingOptions training;

  template <class V>
  void for_each(V& v) {
    v(layers, "layers", "784,128,64,12,20",
      "encoder sizes from the input's to the code's; the decoder mirrors them (20,12,64,128,784)");
    v(activation, "activation", "relu", "after each layer but the code and the output: relu, tanh or sigmoid",
      one_of({"relu", "tanh", "sigmoid"}));
    v(output_activation, "output-activation", "sigmoid",
      "after the decoder's last layer: sigmoid (inputs in [0, 1]), identity or tanh",
      one_of({"sigmoid", "identity", "tanh"}));
    training.for_each(v);
  }
};

class AutoencoderModel final : public FeedForwardModel {
 public:
  AutoencoderModel() : FeedForwardModel("autoencoder", Task::reconstruct) {}

 private:
  std::vector<Stage> build(const Config& config, nn::SampleShape input) const override {
    const AutoencoderOptions o = read_options<AutoencoderOptions>(config);
    const nn::Architecture encoder = nn::parse_layers(o.layers, o.activation, input);
    std::vector<std::size_t> mirror;
    for (const nn::LayerSpec& layer : encoder.layers)
      if (layer.kind == nn::LayerKind::kDense) mirror.insert(mirror.begin(), layer.units);
    mirror.push_back(input.size());
    return {{"encoder.", encoder},
            {"decoder.", nn::parse_layers(fmt::format("{}", fmt::join(mirror, ",")), o.activation,
                                          nn::flat_shape(mirror.front()), output_activation(o.output_activation))}};
  }
};

const gibbs_plugin_descriptor& autoencoder_descriptor() {
  return descriptor<AutoencoderModel, AutoencoderOptions>(
      "autoencoder", "Autoencoder: a dense encoder to a linear code and its mirror decoder, trained on MSE");
}

}  // namespace
}  // namespace gibbs::feedforward

GIBBS_PLUGIN(gibbs::feedforward::autoencoder_descriptor())
