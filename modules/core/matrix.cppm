// Matrix<T>: owning, row-major, 64-byte aligned storage; MatrixView<T>: a window with a
// row stride onto any row-major memory (T const for read-only views).
module;
#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <type_traits>
#include <utility>
export module gibbs.core:matrix;
import :error;
import :memory;

export namespace gibbs {

inline constexpr std::size_t kAlignment = 64;

template <class T>
class MatrixView {
 public:
  MatrixView() = default;
  MatrixView(T* data, std::size_t rows, std::size_t cols) : MatrixView(data, rows, cols, cols) {}
  MatrixView(T* data, std::size_t rows, std::size_t cols, std::size_t stride)
      : data_(data), rows_(rows), cols_(cols), stride_(stride) {
    if (stride < cols) throw ArgumentError("matrix view: row stride is smaller than the column count");
  }
  // A mutable view converts to a read-only one.
  template <class U>
    requires std::is_same_v<const U, T> && (!std::is_same_v<U, T>)
  MatrixView(MatrixView<U> other) : MatrixView(other.data(), other.rows(), other.cols(), other.stride()) {}

  T* data() const { return data_; }
  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  std::size_t stride() const { return stride_; }
  Shape shape() const { return {rows_, cols_}; }
  bool empty() const { return rows_ == 0 || cols_ == 0; }

  T& operator()(std::size_t r, std::size_t c) const {
    assert(r < rows_ && c < cols_);
    return data_[r * stride_ + c];
  }
  std::span<T> row(std::size_t r) const {
    assert(r < rows_);
    return {data_ + r * stride_, cols_};
  }
  // The rows [row0, row0 + rows) and columns [col0, col0 + cols) of this view.
  MatrixView block(std::size_t row0, std::size_t col0, std::size_t rows, std::size_t cols) const {
    if (row0 + rows > rows_ || col0 + cols > cols_)
      throw ShapeError("matrix block out of range", {row0 + rows, col0 + cols}, shape());
    return {data_ + row0 * stride_ + col0, rows, cols, stride_};
  }

 private:
  T* data_ = nullptr;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::size_t stride_ = 0;
};

template <class T>
using ConstView = MatrixView<const T>;

template <class T>
class Matrix {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  Matrix() = default;
  // rows × cols, zero-filled.
  Matrix(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols), data_(allocate(rows, cols)) {
    std::fill_n(data_.get(), size(), T{});
  }
  Matrix(std::size_t rows, std::size_t cols, T value) : Matrix(rows, cols) { fill(value); }
  explicit Matrix(ConstView<T> source) : Matrix(source.rows(), source.cols()) {
    for (std::size_t r = 0; r < rows_; ++r) std::copy_n(source.row(r).data(), cols_, data_.get() + r * cols_);
  }
  Matrix(const Matrix& other) : Matrix(other.view()) {}
  Matrix& operator=(const Matrix& other) {
    if (this != &other) *this = Matrix(other);
    return *this;
  }
  Matrix(Matrix&& other) noexcept
      : rows_(std::exchange(other.rows_, 0)), cols_(std::exchange(other.cols_, 0)), data_(std::move(other.data_)) {}
  Matrix& operator=(Matrix&& other) noexcept {
    rows_ = std::exchange(other.rows_, 0);
    cols_ = std::exchange(other.cols_, 0);
    data_ = std::move(other.data_);
    return *this;
  }

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  std::size_t size() const { return rows_ * cols_; }
  Shape shape() const { return {rows_, cols_}; }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  std::span<T> values() { return {data_.get(), size()}; }
  std::span<const T> values() const { return {data_.get(), size()}; }

  T& operator()(std::size_t r, std::size_t c) {
    assert(r < rows_ && c < cols_);
    return data_[r * cols_ + c];
  }
  const T& operator()(std::size_t r, std::size_t c) const {
    assert(r < rows_ && c < cols_);
    return data_[r * cols_ + c];
  }
  std::span<T> row(std::size_t r) { return view().row(r); }
  std::span<const T> row(std::size_t r) const { return view().row(r); }

  MatrixView<T> view() { return {data_.get(), rows_, cols_}; }
  ConstView<T> view() const { return {data_.get(), rows_, cols_}; }
  operator MatrixView<T>() { return view(); }
  operator ConstView<T>() const { return view(); }

  void fill(T value) { std::fill_n(data_.get(), size(), value); }

 private:
  struct Free {
    std::size_t bytes = 0;  // counted against the memory budget while held
    void operator()(T* p) const {
      std::free(p);
      release_memory(bytes);
    }
  };
  // An ArgumentError when rows × cols is more than the memory budget leaves
  // (throw_budget_error), does not fit in memory, or its byte count would not even fit in a
  // size_t (throw_allocation_error).
  static std::unique_ptr<T[], Free> allocate(std::size_t rows, std::size_t cols) {
    if (rows == 0 || cols == 0) return nullptr;
    constexpr std::size_t kMaxBytes = std::numeric_limits<std::size_t>::max() - kAlignment;
    if (rows > kMaxBytes / sizeof(T) / cols) throw_allocation_error(rows, cols, sizeof(T));
    const std::size_t bytes = (rows * cols * sizeof(T) + kAlignment - 1) / kAlignment * kAlignment;
    if (!reserve_memory(bytes)) throw_budget_error(rows, cols, sizeof(T));
    void* p = allocate_aligned(kAlignment, bytes);
    if (p == nullptr) {
      release_memory(bytes);
      throw_allocation_error(rows, cols, sizeof(T));
    }
    return std::unique_ptr<T[], Free>(static_cast<T*>(p), Free{bytes});
  }

  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::unique_ptr<T[], Free> data_;
};

}  // namespace gibbs
