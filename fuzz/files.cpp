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
  return guarded([&] {
    const io::DatasetReader reader(file);
    for (const io::SplitInfo& split : reader.splits()) {
      reader.read_range(split.name, 0, std::min<std::size_t>(split.rows, 4));
      if (split.rows > 0) {
        const std::vector<std::size_t> rows = {split.rows - 1, 0, split.rows - 1};
        reader.read(split.name, rows);
        if (split.encoding == io::Encoding::uint8) reader.read_uint8(split.name, rows);
      }
      reader.labels(split.name);
      reader.targets(split.name);
    }
  });
}

int fuzz_checkpoint(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path file = scratch_file(data, size, "input.h5");
  return guarded([&] { io::load_checkpoint(file); });
}

}  // namespace gibbs::fuzz
