// gibbs.linalg:covariance — the mean and the covariance of a float matrix's rows, accumulated in
// double, with the same bits for any thread count.
module;
#include <vector>
export module gibbs.linalg:covariance;
import gibbs.core;

export namespace gibbs::linalg {

struct Moments {
  std::vector<double> mean;   // [cols]: each column's mean, summed in row order
  Matrix<double> covariance;  // [cols, cols]: Σ (x − mean)ᵀ(x − mean) / (rows − 1) (/ 1 for one row), symmetric
};

// Over the rows of x (at least one: none is an ArgumentError).
Moments moments(ConstView<float> x);

}  // namespace gibbs::linalg
