// A well-formed test plugin (libgibbs-testgood.so): three options with rules, a command and a trivial model. Built with
// GIBBS_TEST_THROWS it is libgibbs-testthrows.so, whose model's constructor throws.
#include <cstdint>
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>

#include "modules/plugin/abi/gibbs_plugin.h"
#include "modules/plugin/descriptor.h"
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

struct TestOptions {
  std::int64_t hidden = 0;
  double rate = 0;
  std::string mode;

  template <class V>
  void for_each(V& v) {
    v(hidden, "hidden", 16, "number of hidden units", gibbs::at_least(1));
    v(rate, "rate", 0.05, "learning rate", gibbs::in_range(0, 1, true));
    v(mode, "mode", "fast", "how to go", gibbs::one_of({"fast", "slow"}));
  }
};

const gibbs_plugin_descriptor& descriptor() {
  return gibbs::plugin_descriptor<TestModel, TestOptions>({.name = GIBBS_TEST_NAME,
                                                           .version = "1.2.3",
                                                           .summary = "A well-formed plugin for the loader tests",
                                                           .default_batch_size = 32,
                                                           .commands = kCommands});
}

}  // namespace

GIBBS_PLUGIN(descriptor())
