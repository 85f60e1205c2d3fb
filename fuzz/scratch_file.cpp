// scratch_file: the fuzzer's bytes in a file of a per-process folder removed at exit.
#include "fuzz/scratch_file.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace fs = std::filesystem;

namespace gibbs::fuzz {
namespace {

fs::path make_folder() {
  std::error_code ec;
  const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
  fs::path folder = base / ("gibbs-fuzz-" + std::to_string(::getpid()));
  fs::create_directories(folder);
  return folder;
}

const fs::path& folder() {
  static const fs::path path = [] {
    fs::path made = make_folder();
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(folder(), ec);
    });
    return made;
  }();
  return path;
}

}  // namespace

fs::path scratch_file(const std::uint8_t* data, std::size_t size, std::string_view name) {
  fs::path path = folder() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace gibbs::fuzz
