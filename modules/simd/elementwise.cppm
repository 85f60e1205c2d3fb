// Elementwise single-precision kernels: activations, bias add, axpy and column reductions,
// over spans or row-strided views; results never depend on the thread count.
module;
#include <span>
export module gibbs.simd:elementwise;
import gibbs.core;
import :activation;

export namespace gibbs::simd {

// y[i] = f(x[i]). Sizes (or shapes) must match, else ShapeError. y may be x itself, but
// must not share elements with x otherwise (ArgumentError). NaN in gives NaN out. The view
// forms touch only the rows' cols elements, never the padding between rows.
//   sigmoid: 1/(1 + e^-x); below x = −87 it is eˣ, subnormal, 0 below about −103.9.
//   tanh, relu (max(x, 0)), exp (+inf past ln(FLT_MAX) ≈ 88.72; subnormal, then 0, below −87.3).
//   softplus: log(1 + eˣ) = max(x, 0) + log1p(e^-|x|): softplus(100) = 100 and
//   softplus(−100) = e^-100 ≈ 3.7e-44, a subnormal float (0 below about −103.9).
void sigmoid(std::span<const float> x, std::span<float> y);
void tanh(std::span<const float> x, std::span<float> y);
void relu(std::span<const float> x, std::span<float> y);
void exp(std::span<const float> x, std::span<float> y);
void softplus(std::span<const float> x, std::span<float> y);
void sigmoid(ConstView<float> x, MatrixView<float> y);
void tanh(ConstView<float> x, MatrixView<float> y);
void relu(ConstView<float> x, MatrixView<float> y);
void exp(ConstView<float> x, MatrixView<float> y);
void softplus(ConstView<float> x, MatrixView<float> y);

// y = f(x) for any activation (identity copies), with the rules above.
void activate(Activation activation, std::span<const float> x, std::span<float> y);
void activate(Activation activation, ConstView<float> x, MatrixView<float> y);

// y += alpha · x, elementwise; y may be x itself (the same rules as above).
void axpy(float alpha, std::span<const float> x, std::span<float> y);
void axpy(float alpha, ConstView<float> x, MatrixView<float> y);

// Every row of m += v (a bias add); v.size() must equal m.cols() and v must not overlap m.
void add_row_vector(MatrixView<float> m, std::span<const float> v);

// sums[j] = Σ_i m(i, j), added in double in row order and rounded once: the same bits for
// any thread count. sums.size() must equal m.cols(); sums must not overlap m.
void column_sums(ConstView<float> m, std::span<float> sums);

// Σ (a(i, j) − b(i, j))² in double (e.g. a reconstruction's squared error): each row is
// summed alone, then the rows in order, so the result does not depend on the thread count.
double sum_squared_difference(ConstView<float> a, ConstView<float> b);

// One row of a mean squared error over `scale` = 1/(the error's element count): returns
// Σ (x[i] − t[i])² in double, and sets g[i] = 2·scale·(x[i] − t[i]) when g is not empty (g may
// be x itself). Sums in a fixed order of eight chains: the same bits on every target.
double squared_error_row(std::span<const float> x, std::span<const float> t, double scale, std::span<float> g);

}  // namespace gibbs::simd
