// The fuzz entries of the plugin checks: the ELF check a file passes before dlopen, and the
// checks of a descriptor (sizes, ABI version, names, option and rule tables, commands), whose
// descriptor is built from the bytes and returned by libgibbs-fuzz.so (descriptor_plugin.cpp).
#include <dlfcn.h>
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz/entries.h"
#include "fuzz/scratch_file.h"
#include "modules/plugin/abi/gibbs_plugin.h"
import gibbs.core;
import gibbs.plugin;

namespace gibbs::fuzz {
namespace {

void* no_model(char*, std::size_t) { return nullptr; }
void no_destroy(void*) {}
int no_run(int, const char* const*, char*, std::size_t) { return 0; }

// Where libgibbs-fuzz.so returns its descriptor from; the library stays loaded, so that each
// PluginLibrary::open only counts a reference.
const gibbs_plugin_descriptor** descriptor_slot() {
  static const gibbs_plugin_descriptor** slot = [] {
    void* handle = ::dlopen(GIBBS_FUZZ_PLUGIN, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) throw std::runtime_error(std::string("cannot load " GIBBS_FUZZ_PLUGIN ": ") + ::dlerror());
    void* symbol = ::dlsym(handle, "gibbs_fuzz_descriptor");
    if (symbol == nullptr) throw std::runtime_error("no gibbs_fuzz_descriptor in " GIBBS_FUZZ_PLUGIN);
    return static_cast<const gibbs_plugin_descriptor**>(symbol);
  }();
  return slot;
}

// Builds a descriptor from the bytes; the strings and tables it points to live in this object.
class Descriptor {
 public:
  explicit Descriptor(FuzzedDataProvider& in) : in_(in) {
    constexpr std::uint32_t kSizes[] = {sizeof(gibbs_plugin_descriptor),
                                        offsetof(gibbs_plugin_descriptor, commands),
                                        offsetof(gibbs_plugin_descriptor, option_rules),
                                        offsetof(gibbs_plugin_descriptor, default_batch_size),
                                        offsetof(gibbs_plugin_descriptor, model_interface),
                                        8};
    d_.struct_size = in.ConsumeBool() ? in.PickValueInArray(kSizes) : in.ConsumeIntegral<std::uint32_t>();
    d_.abi_version = in.ConsumeIntegralInRange(0, 7) == 0 ? in.ConsumeIntegral<std::uint32_t>() : 1;
    d_.name = text({"fuzz", "fuzz", "rbm", ""});
    d_.version = text({"1.0", ""});
    d_.summary = text({"a plugin built from fuzzer bytes"});
    const std::size_t count = in.ConsumeIntegralInRange<std::size_t>(0, 6);
    const bool with_rules = in.ConsumeBool();
    for (std::size_t i = 0; i < count; ++i) {
      options_.push_back(
          {text({"lr", "k", "batch-size", "visible", "lr", ""}), text({"int", "float", "string", "flag", "double"}),
           text({"64", "0.01", "cd", "false", "true", "-1", "1e308", "nan", "inf", "9223372036854775808"}),
           text({"help"})});
      rules_.push_back({number(), number(), in.ConsumeIntegral<std::uint32_t>() & 0x1f,
                        text({"bernoulli|gaussian", "|", "a", "cd|pcd|"})});
    }
    d_.options = in.ConsumeIntegralInRange(0, 7) == 0 ? nullptr : options_.data();
    d_.option_count = count;
    d_.option_rules = with_rules ? rules_.data() : nullptr;
    d_.create_model = in.ConsumeIntegralInRange(0, 7) == 0 ? nullptr : no_model;
    d_.destroy_model = in.ConsumeIntegralInRange(0, 7) == 0 ? nullptr : no_destroy;
    const std::size_t commands = in.ConsumeIntegralInRange<std::size_t>(0, 3);
    for (std::size_t i = 0; i < commands; ++i)
      commands_.push_back({text({"capacity", "-x", "capacity", ""}), text({"a command"}),
                           in.ConsumeIntegralInRange(0, 7) == 0 ? nullptr : no_run});
    d_.commands = in.ConsumeIntegralInRange(0, 7) == 0 ? nullptr : commands_.data();
    d_.command_count = commands;
    d_.default_batch_size = in.ConsumeIntegral<std::uint64_t>();
    d_.model_interface = in.ConsumeIntegral<std::uint32_t>();
  }
  const gibbs_plugin_descriptor* get() const { return &d_; }

 private:
  // NULL, one of the usual texts, or bytes of the input.
  const char* text(std::initializer_list<const char*> usual) {
    const int pick = in_.ConsumeIntegralInRange(0, 7);
    if (pick == 0) return nullptr;
    if (pick <= 4) return usual.begin()[in_.ConsumeIntegralInRange<std::size_t>(0, usual.size() - 1)];
    strings_.push_back(in_.ConsumeRandomLengthString(24));
    return strings_.back().c_str();
  }
  double number() {
    constexpr double kUsual[] = {-HUGE_VAL, HUGE_VAL, 0, 1, -1, 0.5, NAN};
    return in_.ConsumeBool() ? in_.PickValueInArray(kUsual) : in_.ConsumeFloatingPoint<double>();
  }

  FuzzedDataProvider& in_;
  gibbs_plugin_descriptor d_{};
  std::deque<std::string> strings_;
  std::vector<gibbs_plugin_option> options_;
  std::vector<gibbs_plugin_option_rule> rules_;
  std::vector<gibbs_plugin_command> commands_;
};

}  // namespace

int fuzz_plugin_file(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path file = scratch_file(data, size, "libgibbs-input.so");
  return guarded([&] { plugin_file_problem(file); });
}

int fuzz_plugin_descriptor(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const Descriptor descriptor(in);
  const gibbs_plugin_descriptor** slot = descriptor_slot();
  *slot = descriptor.get();
  guarded([&] {
    const PluginLibrary library = PluginLibrary::open(GIBBS_FUZZ_PLUGIN);
    for (const PluginOption& option : library.options())
      if (option.default_value) default_config_value(option);
  });
  *slot = nullptr;
  return 0;
}

}  // namespace gibbs::fuzz
