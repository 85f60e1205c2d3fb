// A fresh folder under the system temporary directory for one test, removed with everything
// in it when the test is done; and reading a whole file into a string.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace gibbs::test {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name = "gibbs-test") {
    static std::atomic<int> count = 0;
    path = std::filesystem::temp_directory_path() /
           (name + "-" + std::to_string(getpid()) + "-" + std::to_string(count++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace gibbs::test
