// The fuzz entries of the binary file readers: IDX, gibbs datasets and checkpoints (HDF5). The
// bytes become a file, which the reader opens by name as the CLI would.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "fuzz/entries.h"
#include "fuzz/scratch_file.h"
import gibbs.core;
import gibbs.io;

namespace gibbs::fuzz {

int fuzz_idx(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path file = scratch_file(data, size, "input.idx");
  guarded([&] { io::read_idx_images(file); });
  return guarded([&] { io::read_idx_labels(file); });
}

int fuzz_dataset(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path file = scratch_file(data, size, "input.h5");
  return guarded([&] { io::DatasetReader(file).read_every_way(); });
}

int fuzz_checkpoint(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path file = scratch_file(data, size, "input.h5");
  return guarded([&] { io::load_checkpoint(file); });
}

}  // namespace gibbs::fuzz
