// SampleShape's text form and its construction from a dataset's sample_shape.
module;
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <cstddef>
#include <string>
#include <vector>
module gibbs.nn;
import gibbs.core;

namespace gibbs::nn {

std::string to_string(SampleShape shape) {
  if (shape.flat()) return std::to_string(shape.channels);
  return fmt::format("{}x{}x{}", shape.channels, shape.height, shape.width);
}

SampleShape sample_shape_from(const std::vector<std::size_t>& dims) {
  bool zero = false;
  for (std::size_t d : dims) zero = zero || d == 0;
  if (dims.empty() || dims.size() > 3 || zero)
    throw ArgumentError(
        fmt::format("sample shape [{}]: expected [features], [height, width] or "
                    "[channels, height, width], all positive",
                    fmt::join(dims, ", ")));
  if (dims.size() == 1) return flat_shape(dims[0]);
  if (dims.size() == 2) return {1, dims[0], dims[1]};
  return {dims[0], dims[1], dims[2]};
}

}  // namespace gibbs::nn
