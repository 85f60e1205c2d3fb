// A well-formed test plugin (libgibbs-testgood.so): two options, a command and a trivial model. Built with
// GIBBS_TEST_THROWS it is libgibbs-testthrows.so, whose model's constructor throws.
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>

#include "modules/plugin/abi/gibbs_plugin.h"
import gibbs.core;
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

// `gibbs hello ARGS...` prints its arguments; `--fail` fails with a message, `--throw` throws.
int hello(std::span<const std::string> args) {
  for (const std::string& a : args) {
    if (a == "--fail") throw gibbs::ArgumentError("hello: asked to fail");
    if (a == "--throw") throw std::runtime_error("hello threw");
  }
  std::printf("hello");
  for (const std::string& a : args) std::printf(" [%s]", a.c_str());
  std::printf("\n");
  return 0;
}

constexpr gibbs_plugin_command kCommands[] = {
    {"hello", "print the arguments (a test command)", gibbs::plugin_command<hello>},
};

constexpr gibbs_plugin_option kOptions[] = {
    {"hidden", "int", "16", "number of hidden units"},
    {"rate", "float", "0.05", "learning rate"},
};

constexpr gibbs_plugin_descriptor kDescriptor{
    sizeof(gibbs_plugin_descriptor), GIBBS_PLUGIN_ABI_VERSION, GIBBS_TEST_NAME, "1.2.3",
    "A well-formed plugin for the loader tests", kOptions, 2, gibbs::plugin_create<TestModel>,
    gibbs::plugin_destroy, kCommands, 1};

}  // namespace

GIBBS_PLUGIN(kDescriptor)
