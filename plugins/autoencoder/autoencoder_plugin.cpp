// libgibbs-autoencoder.so: a dense encoder (--layers 784,128,64,12,20, a linear code) and its
// mirror image as decoder, trained to reconstruct the input under MSE.
#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/feedforward/feedforward_model.h"
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::feedforward {
namespace {

class AutoencoderModel final : public FeedForwardModel {
 public:
  AutoencoderModel() : FeedForwardModel("autoencoder", Task::reconstruct) {}

 private:
  std::vector<Stage> build(const Config& config, nn::SampleShape input) const override {
    const std::string sizes = config_string(config, "layers"), activation = config_string(config, "activation");
    const nn::Architecture encoder = nn::parse_layers(sizes, activation, input);
    std::vector<std::size_t> mirror;
    for (const nn::LayerSpec& layer : encoder.layers)
      if (layer.kind == nn::LayerKind::kDense) mirror.insert(mirror.begin(), layer.units);
    mirror.push_back(input.size());
    return {{"encoder.", encoder},
            {"decoder.", nn::parse_layers(fmt::format("{}", fmt::join(mirror, ",")), activation,
                                          nn::flat_shape(mirror.front()), config_string(config, "output-activation"))}};
  }
};

constexpr auto kOptions = with_training_options(std::array<gibbs_plugin_option, 3>{{
    {"layers", "string", "784,128,64,12,20",
     "encoder sizes from the input's to the code's; the decoder mirrors them (20,12,64,128,784)"},
    {"activation", "string", "relu", "after each layer but the code and the output: relu, tanh or sigmoid"},
    {"output-activation", "string", "sigmoid", "after the decoder's last layer: sigmoid (inputs in [0, 1]), identity or tanh"},
}});

constexpr gibbs_plugin_descriptor kDescriptor = descriptor<AutoencoderModel>(
    "autoencoder",
    "Autoencoder: a dense encoder to a linear code and its mirror decoder, trained on MSE",
    kOptions);

}  // namespace
}  // namespace gibbs::feedforward

GIBBS_PLUGIN(gibbs::feedforward::kDescriptor)
