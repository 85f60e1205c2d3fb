// The fuzz entries of the text readers: numeric CSV tables and the {"data": [...]} JSON files.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "fuzz/entries.h"
#include "fuzz/scratch_file.h"
import gibbs.core;
import gibbs.io;

namespace gibbs::fuzz {

// Byte 0: bit 7 says the file has a header line, bits 0-3 the label column (0: none); the
// rest is the file.
int fuzz_csv(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool header = (data[0] & 0x80) != 0;
  const std::size_t column = data[0] & 0x0f;
  const std::filesystem::path file = scratch_file(data + 1, size - 1, "input.csv");
  return guarded(
      [&] { io::read_csv_table(file, column == 0 ? std::nullopt : std::optional<std::size_t>(column), header); });
}

int fuzz_json(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  return guarded([&] { io::parse_json_data_array(text, "input.json"); });
}

}  // namespace gibbs::fuzz
