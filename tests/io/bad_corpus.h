// The corpus of files that lie (tests/io/bad_corpus.cpp writes them): each with the words its
// one-line error must contain. Shared by the gibbs.io tests and the CLI tests.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace gibbs::test {

struct BadFile {
  std::string kind;     // "dataset", "checkpoint" or "idx"
  std::string name;     // under the corpus folder
  std::string problem;  // a piece of the expected message
  std::string labels;   // idx images: the labels file to pair them with (under the folder)
};

// Writes a small valid dataset, "good.h5" (train 5×4 uint8 labelled, test 3×4), and the IDX pair
// "good-images.idx" / "good-labels.idx" (5 images of 2×2), then every bad file; returns the bad ones.
std::vector<BadFile> write_bad_corpus(const std::filesystem::path& dir);

}  // namespace gibbs::test
