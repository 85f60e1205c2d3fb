// libgibbs-perceptron.so: the descriptor, with every option `gibbs train --model perceptron`
// takes and the `gibbs capacity` command.
#include <span>
#include <string>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/perceptron/perceptron_model.h"

namespace {

constexpr gibbs_plugin_option kOptions[] = {
    {"lr", "float", "0.01", "learning rate of the perceptron rule"},
    {"batch-size", "int", "1", "rows per update (1: the rule after every sample; B: the rule summed over B rows)"},
    {"init", "string", "zero", "weights and bias: zero, or normal:SIGMA (drawn from N(0, SIGMA²))"},
};

constexpr gibbs_plugin_command kCommands[] = {
    {"capacity", "The perceptron's capacity: the share of random pattern sets learned, against P/N",
     gibbs::plugin_command<gibbs::perceptron::capacity_command>},
};

constexpr gibbs_plugin_descriptor kDescriptor{
    sizeof(gibbs_plugin_descriptor),
    GIBBS_PLUGIN_ABI_VERSION,
    "perceptron",
    "1.0.0",
    "Single-layer perceptron: sign activation, the perceptron rule, stops at zero training error",
    kOptions,
    sizeof(kOptions) / sizeof(kOptions[0]),
    gibbs::plugin_create<gibbs::perceptron::PerceptronModel>,
    gibbs::plugin_destroy,
    kCommands,
    sizeof(kCommands) / sizeof(kCommands[0])};

}  // namespace

GIBBS_PLUGIN(kDescriptor)
