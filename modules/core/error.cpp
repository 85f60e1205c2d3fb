// Messages of the error hierarchy.
module;
#include <fmt/format.h>
#include <sys/stat.h>

#include <cstddef>
#include <string>
#include <string_view>
module gibbs.core;

namespace gibbs {

IoError::IoError(const std::string& file, const std::string& problem) : Error(fmt::format("{}: {}", file, problem)) {}

FormatError::FormatError(const std::string& file, const std::string& problem)
    : Error(fmt::format("{}: {}", file, problem)), file_(file) {}

void throw_allocation_error(std::size_t rows, std::size_t cols, std::size_t element_size) {
  const double gib = static_cast<double>(rows) * static_cast<double>(cols) * static_cast<double>(element_size) /
                     (1024.0 * 1024.0 * 1024.0);
  throw ArgumentError(
      fmt::format("a matrix of {} × {} values ({:.3g} GiB) is more memory than this machine gives", rows, cols, gib));
}

void throw_budget_error(std::size_t rows, std::size_t cols, std::size_t element_size) {
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  const double gib = static_cast<double>(rows) * static_cast<double>(cols) * static_cast<double>(element_size) / kGiB;
  throw ArgumentError(fmt::format(
      "a matrix of {} × {} values ({:.3g} GiB) is more memory than gibbs may use: {:.3g} of {:.3g} GiB in use "
      "(--memory-limit)",
      rows, cols, gib, static_cast<double>(memory_in_use()) / kGiB, static_cast<double>(memory_budget()) / kGiB));
}

std::string to_string(Shape shape) { return fmt::format("[{}, {}]", shape.rows, shape.cols); }

ShapeError::ShapeError(const std::string& what, Shape actual, Shape expected)
    : Error(fmt::format("{}: shape {}, expected {}", what, to_string(actual), to_string(expected))),
      actual_(actual),
      expected_(expected) {}

void expect_shape(std::string_view what, Shape actual, Shape expected) {
  if (actual != expected) throw ShapeError(std::string(what), actual, expected);
}

std::string file_type_name(unsigned mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

}  // namespace gibbs
