// largest_eigenpairs over LAPACK's dsyevr (every eigenpair, by relatively robust representations),
// called through dlopen: linking liblapack.so.3 would load OpenBLAS (Debian's alternative here)
// into every gibbs process at start, before `gibbs bench` can choose its kernels.
module;
#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>
module gibbs.linalg;
import gibbs.core;

namespace gibbs::linalg {
namespace {

// dsyevr_ as gfortran passes arguments: all by address, then the hidden lengths of the three
// character arguments.
using Dsyevr = void (*)(const char* jobz, const char* range, const char* uplo, const int* n, double* a, const int* lda,
                        const double* vl, const double* vu, const int* il, const int* iu, const double* abstol, int* m,
                        double* w, double* z, const int* ldz, int* isuppz, double* work, const int* lwork, int* iwork,
                        const int* liwork, int* info, std::size_t jobz_length, std::size_t range_length,
                        std::size_t uplo_length);

struct Lapack {
  SharedLibrary library;
  Dsyevr dsyevr = nullptr;
  // OpenBLAS's thread count, when the LAPACK is OpenBLAS's: its threaded BLAS 2 routines
  // (dsymv in the tridiagonal reduction) add partial sums per thread.
  int (*get_threads)() = nullptr;
  void (*set_threads)(int) = nullptr;
};

const Lapack& lapack() {
  static const Lapack loaded = [] {
    Lapack l;
    try {
      l.library = SharedLibrary::open_first({"liblapack.so.3", GIBBS_LAPACK_LIBRARY});
      l.dsyevr = l.library.function<Dsyevr>("dsyevr_");
    } catch (const LibraryError& e) {
      throw Error(fmt::format("LAPACK cannot be loaded (Debian: apt-get install liblapack3): {}", e.what()));
    }
    l.get_threads = reinterpret_cast<int (*)()>(l.library.find("openblas_get_num_threads"));
    l.set_threads = reinterpret_cast<void (*)(int)>(l.library.find("openblas_set_num_threads"));
    if (l.get_threads == nullptr || l.set_threads == nullptr) l.get_threads = nullptr, l.set_threads = nullptr;
    return l;
  }();
  return loaded;
}

// While alive, an OpenBLAS LAPACK runs on one thread (and the calls one at a time).
class OneBlasThread {
 public:
  explicit OneBlasThread(const Lapack& l) : lock_(mutex()), lapack_(l) {
    if (lapack_.set_threads == nullptr) return;
    saved_ = lapack_.get_threads();
    lapack_.set_threads(1);
  }
  ~OneBlasThread() {
    if (lapack_.set_threads != nullptr) lapack_.set_threads(saved_);
  }
  OneBlasThread(const OneBlasThread&) = delete;
  OneBlasThread& operator=(const OneBlasThread&) = delete;

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  std::lock_guard<std::mutex> lock_;
  const Lapack& lapack_;
  int saved_ = 1;
};

}  // namespace

Eigenpairs largest_eigenpairs(ConstView<double> a, std::size_t count) {
  const std::size_t n = a.rows();
  if (a.cols() != n) throw ShapeError("largest_eigenpairs: a symmetric matrix", a.shape(), {n, n});
  if (count > n) throw ArgumentError(fmt::format("largest_eigenpairs: {} eigenpairs of a {} × {} matrix", count, n, n));
  if (n > static_cast<std::size_t>(INT_MAX / 26))  // LAPACK's 32-bit integers (iwork holds 10n, work 26n)
    throw ArgumentError(fmt::format("largest_eigenpairs: a {} × {} matrix is too large for LAPACK", n, n));
  Eigenpairs result{{}, Matrix<double>(count, n)};
  if (count == 0) return result;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j)
      if (!std::isfinite(a(i, j)))
        throw ArgumentError("largest_eigenpairs: the matrix holds a value that is not finite");

  // Row-major with the lower triangle read is column-major with the upper read: dsyevr gets 'U'.
  Matrix<double> work_a(a);
  const int order = static_cast<int>(n);
  const double unused = 0, abstol = 0;
  const int first = 1, last = order;
  int found = 0, info = 0;
  std::vector<double> values(n);
  Matrix<double> vectors(n, n);  // column-major n × n: vector k is row k here
  std::vector<int> support(2 * n);
  const Lapack& l = lapack();
  const OneBlasThread one(l);
  double work_size = 0;
  int iwork_size = 0, query = -1;
  l.dsyevr("V", "A", "U", &order, work_a.data(), &order, &unused, &unused, &first, &last, &abstol, &found,
           values.data(), vectors.data(), &order, support.data(), &work_size, &query, &iwork_size, &query, &info, 1, 1,
           1);
  if (info != 0) throw Error(fmt::format("LAPACK dsyevr: workspace query failed (info {})", info));
  const int lwork = static_cast<int>(work_size), liwork = iwork_size;
  std::vector<double> work(static_cast<std::size_t>(std::max(lwork, 1)));
  std::vector<int> iwork(static_cast<std::size_t>(std::max(liwork, 1)));
  l.dsyevr("V", "A", "U", &order, work_a.data(), &order, &unused, &unused, &first, &last, &abstol, &found,
           values.data(), vectors.data(), &order, support.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1,
           1, 1);
  if (info != 0 || found != order)
    throw Error(fmt::format("LAPACK dsyevr: no eigendecomposition of the {} × {} matrix (info {})", n, n, info));

  // Ascending from LAPACK: the largest are the last.
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t from = n - 1 - k;
    result.values.push_back(values[from]);
    const std::span<const double> v = vectors.row(from);
    std::size_t biggest = 0;
    for (std::size_t i = 1; i < n; ++i)
      if (std::abs(v[i]) > std::abs(v[biggest])) biggest = i;
    const double sign = v[biggest] < 0 ? -1.0 : 1.0;
    for (std::size_t i = 0; i < n; ++i) result.vectors(k, i) = sign * v[i];
  }
  return result;
}

}  // namespace gibbs::linalg
