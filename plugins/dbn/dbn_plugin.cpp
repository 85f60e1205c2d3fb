// libgibbs-dbn.so: the descriptor, its option table derived from DbnOptions.
#include "modules/plugin/abi/gibbs_plugin.h"
#include "modules/plugin/descriptor.h"
#include "plugins/dbn/dbn_model.h"

namespace {

const gibbs_plugin_descriptor& descriptor() {
  return gibbs::plugin_descriptor<gibbs::dbn::DbnModel, gibbs::dbn::DbnOptions>(
      {.name = "dbn",
       .version = "1.0.0",
       .summary = "Deep belief net: RBMs stacked and trained layer by layer (Hinton & Salakhutdinov 2006)",
       .default_batch_size = 100});
}

}  // namespace

GIBBS_PLUGIN(descriptor())
