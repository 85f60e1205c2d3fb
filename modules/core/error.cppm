// The gibbs::Error hierarchy. The CLI turns any of these into one line and an exit code.
module;
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
export module gibbs.core:error;

export namespace gibbs {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value a caller passed is outside what the function accepts.
class ArgumentError : public Error {
 public:
  using Error::Error;
};

// An operating-system or library failure while reading or writing a file; the message
// starts with the file's name.
class IoError : public Error {
 public:
  using Error::Error;
  IoError(const std::string& file, const std::string& problem);
};

// A file that is not what it claims to be (truncated, wrong magic, wrong shape or type, NaN,
// a format version from the future); the message is "<file>: <problem>".
class FormatError : public Error {
 public:
  FormatError(const std::string& file, const std::string& problem);
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

// An ArgumentError for a matrix that cannot be allocated: "a matrix of R × C values (N GiB) is
// more memory than this machine gives" (also when R·C·element_size overflows).
[[noreturn]] void throw_allocation_error(std::size_t rows, std::size_t cols, std::size_t element_size);
// The same when the matrix would take the memory budget (gibbs.core:memory) past its limit.
[[noreturn]] void throw_budget_error(std::size_t rows, std::size_t cols, std::size_t element_size);

struct Shape {
  std::size_t rows = 0;
  std::size_t cols = 0;
  friend bool operator==(const Shape&, const Shape&) = default;
};

std::string to_string(Shape shape);  // "[rows, cols]"

// Two operands whose shapes do not fit together; the message names both shapes.
class ShapeError : public Error {
 public:
  ShapeError(const std::string& what, Shape actual, Shape expected);
  Shape actual() const { return actual_; }
  Shape expected() const { return expected_; }

 private:
  Shape actual_;
  Shape expected_;
};

// Throws ShapeError("<what>: shape [a, b], expected [c, d]") unless actual == expected. The
// message is built only then: a check on a hot path allocates nothing.
void expect_shape(std::string_view what, Shape actual, Shape expected);

// What a file that is not regular is, from its stat st_mode, for messages: "a FIFO", "a directory".
std::string file_type_name(unsigned mode);

}  // namespace gibbs
