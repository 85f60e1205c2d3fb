// gibbs.linalg:eigen — the largest eigenvalues of a symmetric matrix and their eigenvectors, by
// LAPACK's dsyevr, with a deterministic sign for each vector.
module;
#include <cstddef>
#include <vector>
export module gibbs.linalg:eigen;
import gibbs.core;

export namespace gibbs::linalg {

struct Eigenpairs {
  std::vector<double> values;  // largest first
  Matrix<double> vectors;      // [count, n]: row k is a unit eigenvector of values[k], its
                               // largest-magnitude entry positive (the first such, on a tie)
};

// The `count` largest eigenpairs of the symmetric n × n matrix `a` (count ≤ n; only its lower
// triangle is read). LAPACK is loaded on first use (liblapack.so.3, the library Debian's
// alternatives chose, else the one CMake found); one that cannot be loaded, or that does not
// converge, is an Error. An OpenBLAS LAPACK runs on one thread during the call, so the bits do not
// depend on the cores.
Eigenpairs largest_eigenpairs(ConstView<double> a, std::size_t count);

}  // namespace gibbs::linalg
