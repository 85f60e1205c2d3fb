// Messages of the error hierarchy.
module;
#include <fmt/format.h>
#include <string>
module gibbs.core;

namespace gibbs {

IoError::IoError(const std::string& file, const std::string& problem) : Error(fmt::format("{}: {}", file, problem)) {}

FormatError::FormatError(const std::string& file, const std::string& problem)
    : Error(fmt::format("{}: {}", file, problem)), file_(file) {}

std::string to_string(Shape shape) { return fmt::format("[{}, {}]", shape.rows, shape.cols); }

ShapeError::ShapeError(const std::string& what, Shape actual, Shape expected)
    : Error(fmt::format("{}: shape {}, expected {}", what, to_string(actual), to_string(expected))),
      actual_(actual),
      expected_(expected) {}

void expect_shape(const std::string& what, Shape actual, Shape expected) {
  if (actual != expected) throw ShapeError(what, actual, expected);
}

}  // namespace gibbs
