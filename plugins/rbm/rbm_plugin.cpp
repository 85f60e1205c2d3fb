// libgibbs-rbm.so: the descriptor, its option table derived from RbmOptions.
#include "modules/plugin/abi/gibbs_plugin.h"
#include "modules/plugin/descriptor.h"
#include "plugins/rbm/rbm_model.h"

namespace {

const gibbs_plugin_descriptor& descriptor() {
  return gibbs::plugin_descriptor<gibbs::rbm::RbmModel, gibbs::rbm::RbmOptions>(
      {.name = "rbm",
       .version = "1.0.0",
       .summary = "Restricted Boltzmann machine: Bernoulli or Gaussian visibles, CD-k and persistent CD",
       .default_batch_size = 128});
}

}  // namespace

GIBBS_PLUGIN(descriptor())
