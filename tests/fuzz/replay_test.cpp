// The fuzz corpus (tests/fuzz_corpus/<target>/: the seeds and every input a fuzzer found a
// problem with) replayed through the same entries as the libFuzzer targets (fuzz/entries.h):
// nothing but gibbs::Error may come out of any of them, and nothing may crash.
#define BOOST_TEST_MODULE fuzz_corpus
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/entries.h"

namespace fs = std::filesystem;

namespace {

const fs::path kCorpus = GIBBS_FUZZ_CORPUS;

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_corpus_file_gives_a_gibbs_error_at_most) {
  for (const gibbs::fuzz::Target& target : gibbs::fuzz::targets()) {
    const fs::path folder = kCorpus / target.name;
    BOOST_TEST_REQUIRE(fs::is_directory(folder), folder << " is missing");
    std::vector<fs::path> files;
    for (const fs::directory_entry& e : fs::directory_iterator(folder))
      if (e.is_regular_file()) files.push_back(e.path());
    std::ranges::sort(files);
    BOOST_TEST(!files.empty(), folder << " holds no inputs");
    for (const fs::path& file : files) {
      BOOST_TEST_CONTEXT("fuzz_" << target.name << " " << file.filename().string()) {
        const std::vector<std::uint8_t> bytes = read_bytes(file);
        try {
          target.entry(bytes.data(), bytes.size());
        } catch (const std::exception& e) {
          BOOST_ERROR("escaped: " << e.what());
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_corpus_folder_is_a_target) {
  for (const fs::directory_entry& e : fs::directory_iterator(kCorpus)) {
    const std::string name = e.path().filename().string();
    BOOST_TEST(std::ranges::any_of(gibbs::fuzz::targets(), [&](const auto& t) { return t.name == name; }),
               name << " is no fuzz target's folder");
  }
}
