// libgibbs-perceptron.so: the descriptor (its option table derived from PerceptronOptions) and
// the `gibbs capacity` command.
#include <span>
#include <string>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "modules/plugin/descriptor.h"
#include "plugins/perceptron/perceptron_model.h"

namespace {

constexpr gibbs_plugin_command kCommands[] = {
    {"capacity", "The perceptron's capacity: the share of random pattern sets learned, against P/N",
     gibbs::plugin_command<gibbs::perceptron::capacity_command>},
};

const gibbs_plugin_descriptor& descriptor() {
  return gibbs::plugin_descriptor<gibbs::perceptron::PerceptronModel, gibbs::perceptron::PerceptronOptions>(
      {.name = "perceptron",
       .version = "1.0.0",
       .summary = "Single-layer perceptron: sign activation, the perceptron rule, stops at zero training error",
       .default_batch_size = 1,
       .commands = kCommands});
}

}  // namespace

GIBBS_PLUGIN(descriptor())
