// gibbs.linalg:pca — principal component analysis: the mean and the top principal directions of
// a training matrix (covariance in double, LAPACK's eigendecomposition), rows projected onto them
// (codes) and rebuilt from codes. Hinton & Salakhutdinov's baseline for the deep autoencoder.
module;
#include <cstddef>
#include <vector>
export module gibbs.linalg:pca;
import gibbs.core;

export namespace gibbs::linalg {

struct Pca {
  std::vector<double> mean;       // [width]: the training rows' mean
  Matrix<double> directions;      // [components, width]: orthonormal rows, by decreasing variance,
                                  // each one's largest-magnitude entry positive
  std::vector<double> variances;  // [components]: the training rows' variance along each direction

  std::size_t width() const { return mean.size(); }
  std::size_t components() const { return directions.rows(); }
  // The codes of rows x [rows, width]: (x − mean) · directionsᵀ [rows, components], in double.
  Matrix<float> project(ConstView<float> x) const;
  // Rows from codes [rows, components]: mean + codes · directions [rows, width], in double.
  Matrix<float> reconstruct(ConstView<float> codes) const;
};

// PCA of the rows of x (rows = examples) with `components` directions, 0 to x.cols(). No rows, more
// components than columns, or a value that is not finite is an ArgumentError. The same x gives the
// same bits for any thread count.
Pca fit_pca(ConstView<float> x, std::size_t components);

// Σ over the values of a row of (y − x)², averaged over the rows (0 rows: 0), in double:
// Hinton & Salakhutdinov's squared error per image.
double squared_error_per_row(ConstView<float> x, ConstView<float> y);

}  // namespace gibbs::linalg
