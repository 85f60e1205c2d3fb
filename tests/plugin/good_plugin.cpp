// A well-formed test plugin (libgibbs-testgood.so): two options and a trivial model. Built with
// GIBBS_TEST_THROWS it is libgibbs-testthrows.so, whose model's constructor throws.
#include <stdexcept>
#include <string>

#include "modules/plugin/abi/gibbs_plugin.h"
import gibbs.plugin;

namespace {

class TestModel final : public gibbs::Model {
 public:
  TestModel() {
#ifdef GIBBS_TEST_THROWS
    throw std::runtime_error("the test model refuses");
#endif
  }
  std::string name() const override { return GIBBS_TEST_NAME; }
};

constexpr gibbs_plugin_option kOptions[] = {
    {"hidden", "int", "16", "number of hidden units"},
    {"rate", "float", "0.05", "learning rate"},
};

constexpr gibbs_plugin_descriptor kDescriptor{
    sizeof(gibbs_plugin_descriptor), GIBBS_PLUGIN_ABI_VERSION, GIBBS_TEST_NAME, "1.2.3",
    "A well-formed plugin for the loader tests", kOptions, 2, gibbs::plugin_create<TestModel>,
    gibbs::plugin_destroy};

}  // namespace

GIBBS_PLUGIN(kDescriptor)
