// libgibbs-rbm.so: the descriptor, with every option `gibbs train --model rbm` takes.
#include "modules/plugin/abi/gibbs_plugin.h"
#include "plugins/rbm/rbm_model.h"

namespace {

constexpr gibbs_plugin_option kOptions[] = {
    {"visible", "string", "bernoulli", "visible units: bernoulli, or gaussian (unit variance)"},
    {"hidden", "int", "500", "hidden units (Bernoulli)"},
    {"k", "int", "1", "Gibbs steps per update (CD-k, or PCD-k with --persistent)"},
    {"persistent", "flag", "false", "persistent CD: one chain per minibatch row, kept between updates"},
    {"batch-size", "int", "128", "rows per minibatch (1: per-sample SGD)"},
    {"lr", "float", "0.01", "learning rate"},
    {"momentum", "float", "0", "momentum"},
    {"momentum-schedule", "string", "none",
     "momentum by epoch, e.g. 0.5:5,0.9 (0.5 for 5 epochs, then 0.9); replaces --momentum"},
    {"weight-decay", "float", "0", "L2 weight decay (on the weights)"},
    {"sparsity-target", "float", "0", "target mean activation of each hidden unit (0: no sparsity penalty)"},
    {"sparsity-cost", "float", "0.1", "strength of the sparsity penalty"},
    {"init", "string", "normal:0.01", "weights: normal:SIGMA, or uniform-glorot4 (uniform in ±4·sqrt(6/(visible+hidden)))"},
    {"no-visible-bias", "flag", "false", "no visible bias (it stays zero)"},
    {"visible-bias-init", "string", "zero", "zero, or logit-mean (log(p/(1−p)) of each unit's training mean; Bernoulli)"},
    {"visible-clip", "float", "0", "Gaussian visibles: clip their means to [−X, X] (0: no clipping; the course notebook: 10)"},
};

constexpr gibbs_plugin_descriptor kDescriptor{
    sizeof(gibbs_plugin_descriptor),
    GIBBS_PLUGIN_ABI_VERSION,
    "rbm",
    "1.0.0",
    "Restricted Boltzmann machine: Bernoulli or Gaussian visibles, CD-k and persistent CD",
    kOptions,
    sizeof(kOptions) / sizeof(kOptions[0]),
    gibbs::plugin_create<gibbs::rbm::RbmModel>,
    gibbs::plugin_destroy,
    nullptr,  // no commands
    0};

}  // namespace

GIBBS_PLUGIN(kDescriptor)
