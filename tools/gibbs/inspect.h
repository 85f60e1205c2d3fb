// `gibbs inspect`: the statistics it prints for a tensor and for the difference of two, and the
// checkpoint comparison behind `--diff` (inspect_diff.cpp).
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

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

}  // namespace gibbs::cli
