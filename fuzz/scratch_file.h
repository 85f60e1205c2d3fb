// The fuzzer's bytes as a file, for the readers that take a path (HDF5 files, IDX, CSV).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace gibbs::fuzz {

// Writes the bytes to `name` in this process's scratch folder (under /dev/shm when there is
// one, so that millions of inputs never reach a disk) and returns its path; the folder goes
// when the process exits.
std::filesystem::path scratch_file(const std::uint8_t* data, std::size_t size, std::string_view name);

}  // namespace gibbs::fuzz
