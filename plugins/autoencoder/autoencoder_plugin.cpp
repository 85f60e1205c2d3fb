// libgibbs-autoencoder.so: a dense encoder (--layers 784,128,64,12,20, a linear code) and its
// mirror image as decoder, trained to reconstruct the input under MSE or cross-entropy, from a
// random start or from a deep belief net unrolled (--pretrained, Hinton & Salakhutdinov 2006).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/dbn/dbn_model.h"
#include "plugins/feedforward/feedforward_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.nn;
import gibbs.plugin;
import gibbs.sampler;

namespace gibbs::feedforward {
namespace {

struct AutoencoderOptions {
  static constexpr const char* kName = "autoencoder";
  static constexpr const char* kSummary =
      "Autoencoder: a dense encoder to a linear code and its mirror decoder, trained on MSE";
  static constexpr std::optional<Task> kTask = Task::reconstruct;

  std::string layers, activation, output_activation, loss, pretrained;
  TrainingOptions training;

  template <class V>
  void for_each(V& v) {
    v(layers, "layers", "784,128,64,12,20",
      "encoder sizes from the input's to the code's; the decoder mirrors them (20,12,64,128,784)", fixed());
    v(activation, "activation", "relu", "after each layer but the code and the output: relu, tanh or sigmoid",
      fixed(one_of({"relu", "tanh", "sigmoid"})));
    v(output_activation, "output-activation", "sigmoid",
      "after the decoder's last layer: sigmoid (inputs in [0, 1]), identity or tanh",
      fixed(one_of({"sigmoid", "identity", "tanh"})));
    v(loss, "loss", "mse", "mse, or cross-entropy (binary, on sigmoid outputs; inputs in [0, 1])",
      one_of({"mse", "cross-entropy"}));
    v(pretrained, "pretrained", "",
      "a dbn checkpoint with the same --layers: its weights start the encoder, and transposed the decoder "
      "(Hinton & Salakhutdinov's unrolled DBN; needs --activation sigmoid); empty: a random start",
      fixed());
    training.for_each(v);
  }

  ReconstructionLoss reconstruction_loss() const {
    return loss == "cross-entropy" ? ReconstructionLoss::cross_entropy : ReconstructionLoss::mse;
  }

  // --pretrained: encoder layer i is the DBN's layer i (W, hidden biases), decoder layer i its
  // layer n − 1 − i (Wᵀ, visible biases), so that the network computes the stack's up-down pass.
  void initialize_parameters(std::span<const nn::Parameter> parameters) const {
    if (pretrained.empty()) return;
    const io::Checkpoint checkpoint = io::load_checkpoint(pretrained);
    const auto refuse = [&](const std::string& problem) { return FormatError(pretrained, "--pretrained: " + problem); };
    if (checkpoint.model != "dbn")
      throw refuse(fmt::format("a {} checkpoint, and a dbn's is needed", checkpoint.model));
    dbn::DbnModel stack;
    try {
      stack.restore(checkpoint, {});
    } catch (const ArgumentError& e) {
      throw refuse(e.what());
    }
    const std::vector<rbm::RbmModel>& rbms = stack.layers();
    std::vector<const nn::Parameter*> encoder, decoder;  // weight, bias, weight, bias, ...
    for (const nn::Parameter& p : parameters) (p.name.starts_with("encoder.") ? encoder : decoder).push_back(&p);
    std::vector<std::size_t> sizes{rbms.front().rbm().visible()};
    for (const rbm::RbmModel& r : rbms) sizes.push_back(r.rbm().hidden());
    bool same = encoder.size() == 2 * rbms.size() && decoder.size() == encoder.size();
    for (std::size_t i = 0; same && i < rbms.size(); ++i)
      same = encoder[2 * i]->shape == std::vector<std::size_t>{sizes[i], sizes[i + 1]};
    if (!same) throw refuse(fmt::format("its stack is {}, and --layers is {}", fmt::join(sizes, ","), layers));
    for (std::size_t i = 0; i < rbms.size(); ++i) {
      const bool top = i + 1 == rbms.size();
      const bool linear = rbms[i].rbm().hidden_units() == sampler::HiddenUnits::gaussian;
      if (top && !linear)
        throw refuse(
            "its top layer's hidden units are Bernoulli, and the autoencoder's code is linear: pretrain the "
            "top layer with Gaussian hidden units (--hidden-units auto)");
      if (!top && linear)
        throw refuse(fmt::format("its layer {} has Gaussian hidden units; only the code may be linear", i + 1));
    }
    if (activation != "sigmoid") throw option_error("activation", "must be sigmoid with --pretrained", activation);
    const bool binary = rbms.front().rbm().units() == sampler::VisibleUnits::bernoulli;
    if (output_activation != (binary ? "sigmoid" : "identity"))
      throw option_error("output-activation",
                         fmt::format("must be {} to unroll a dbn with {} visible units",
                                     binary ? "sigmoid" : "identity", binary ? "Bernoulli" : "Gaussian"),
                         output_activation);
    for (std::size_t i = 0; i < rbms.size(); ++i) {
      const sampler::Rbm& rbm = rbms[i].rbm();
      const std::size_t d = rbms.size() - 1 - i;
      const ConstView<float> w = rbm.weights();
      for (std::size_t v = 0; v < rbm.visible(); ++v)
        for (std::size_t h = 0; h < rbm.hidden(); ++h) {
          encoder[2 * i]->value(v, h) = w(v, h);
          decoder[2 * d]->value(h, v) = w(v, h);
        }
      std::ranges::copy(rbm.hidden_bias(), encoder[2 * i + 1]->value.data());
      std::ranges::copy(rbm.visible_bias(), decoder[2 * d + 1]->value.data());
    }
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
