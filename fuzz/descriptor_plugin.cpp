// libgibbs-fuzz.so: a plugin whose gibbs_plugin_v1 returns whatever descriptor the harness put in
// gibbs_fuzz_descriptor (fuzz/plugin.cpp), so that PluginLibrary::open checks descriptors built
// from the fuzzer's bytes. It holds no model and no code gibbs would run.
#include "modules/plugin/abi/gibbs_plugin.h"

extern "C" __attribute__((visibility("default"))) const gibbs_plugin_descriptor* gibbs_fuzz_descriptor = nullptr;

extern "C" __attribute__((visibility("default"))) const gibbs_plugin_descriptor* gibbs_plugin_v1(void) {
  return gibbs_fuzz_descriptor;
}
