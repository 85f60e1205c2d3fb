// libgibbs-autoencoder.so: a dense encoder (--layers 784,128,64,12,20, a linear code) and its
// mirror image as decoder, trained to reconstruct the input under MSE.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/feedforward/feedforward_model.h"
import gibbs.nn;
import gibbs.plugin;

namespace gibbs::feedforward {
namespace {

struct AutoencoderOptions {
  static constexpr const char* kName = "autoencoder";
  static constexpr const char* kSummary =
      "Autoencoder: a dense encoder to a linear code and its mirror decoder, trained on MSE";
  static constexpr std::optional<Task> kTask = Task::reconstruct;

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

  // The encoder to the code, and its mirror image back to the input.
  std::vector<Stage> build(nn::SampleShape input) const {
    const nn::Architecture encoder = nn::parse_layers(layers, activation, input);
    std::vector<std::size_t> mirror;
    for (const nn::LayerSpec& layer : encoder.layers)
      if (layer.kind == nn::LayerKind::kDense) mirror.insert(mirror.begin(), layer.units);
    mirror.push_back(input.size());
    return {{"encoder.", encoder},
            {"decoder.",
             nn::parse_layers(fmt::format("{}", fmt::join(mirror, ",")), activation, nn::flat_shape(mirror.front()),
                              feedforward::output_activation(output_activation))}};
  }
};

}  // namespace
}  // namespace gibbs::feedforward

GIBBS_PLUGIN(gibbs::feedforward::descriptor<gibbs::feedforward::AutoencoderOptions>())
