// `gibbs inspect`: the statistics it prints for a tensor and for the difference of two, and the
// checkpoint comparison behind `--diff` (inspect_diff.cpp).
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>
import gibbs.io;

namespace gibbs::cli {

// Over the finite values (min, max, mean, population std); NaNs are counted, not folded in.
struct TensorStats {
  float min = 0, max = 0;
  double mean = 0, std = 0;
  std::size_t nan = 0;
};
TensorStats tensor_stats(std::span<const float> values);

// a and b of one shape: max |a-b|, mean |a-b|, ||a-b|| / ||a|| (L2 over all elements; infinite
// when a is all zeros and b is not), and how many elements differ.
struct TensorDiff {
  double max_abs = 0, mean_abs = 0, rel_l2 = 0;
  std::size_t differing = 0;
};
TensorDiff tensor_diff(std::span<const float> a, std::span<const float> b);

// Compares two checkpoints and prints what differs (text or one JSON object).
// Returns 0 when they hold the same content, 1 when they differ; errors throw.
int diff_checkpoints(const std::filesystem::path& a, const std::filesystem::path& b, bool json);

// `--curves` (inspect_pictures.cpp): every history metric of every checkpoint against epoch, one
// panel per metric, the runs overlaid and named by file; or only `metrics` (comma-separated, each
// with its test_ twin; empty: all). A checkpoint without history, or a metric no checkpoint has,
// is an error. Returns how many curves it drew.
std::size_t write_curves(const std::vector<std::filesystem::path>& checkpoints, const std::filesystem::path& png,
                         const std::string& metrics);
// The same for checkpoints already read, each with its legend name.
std::size_t write_curves(const std::vector<std::pair<std::string, io::Checkpoint>>& runs,
                         const std::filesystem::path& png, const std::string& metrics);
// The history series that time a run (seconds, images_per_second) rather than measure the model.
bool is_timing_metric(const std::string& metric);

// `--filters`: the first `tiles` columns of the [visible, hidden] parameter `param` as a mosaic,
// each normalised on its own; tile_shape "HxW", or empty for the square root of visible.
struct FilterOptions {
  std::string param = "W";
  std::size_t tiles = 100;
  std::string tile_shape;
};
void write_filters(const std::filesystem::path& checkpoint, const std::filesystem::path& png,
                   const FilterOptions& options);

// `--boundary` (inspect_boundary.cpp): a two-input classifier's training inputs (of `data`, or the
// dataset it was trained on), coloured by label, and its decision boundary, as an 800×800 PNG.
// A model with another input count, or one that does not classify, is an ArgumentError.
void write_boundary(const std::filesystem::path& checkpoint, const std::filesystem::path& png, const std::string& data);

// `--codes` (inspect_codes.cpp): the 2-D codes (Model::encode) of the test split of `data` (or of
// the dataset the model was trained on; its train split without one), coloured by label (one
// colour without labels), beside the same rows on the first two principal components of the train
// split, as a 1600×800 PNG. A model that cannot encode, or whose code is not 2 values, is an
// ArgumentError.
void write_codes(const std::filesystem::path& checkpoint, const std::filesystem::path& png, const std::string& data);

}  // namespace gibbs::cli
