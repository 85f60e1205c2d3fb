// Plain declarations of the elementwise and column-reduction kernels (no Highway types).
#pragma once
#include <cstddef>

#include "modules/simd/kernels/activation.h"

namespace gibbs::kernels {

// y[i] = f(x[i]) for i < n on the best target. y may equal x; NaN in gives NaN out. Each
// element's result depends on its input alone, however the array is cut into calls.
void ActivationForward(Activation activation, const float* x, float* y, std::size_t n);

// dx[i] from y[i] = f(x[i]) and dy[i] (see Activation), on the best target; dx may equal dy.
void ActivationBackward(Activation activation, const float* y, const float* dy, float* dx, std::size_t n);

// The maps that are not activations, with ActivationForward's rules.
enum class UnaryOp : int { kExp = 0, kSoftplus };
void UnaryMap(UnaryOp op, const float* x, float* y, std::size_t n);

// y[i] += alpha · x[i] for i < n; y may equal x.
void Axpy(float alpha, const float* x, float* y, std::size_t n);

// sums[j] = Σ_i m[i · stride + j] for j < cols: each column added in double, in row order,
// then rounded once, so a column's sum does not depend on which other columns are in the call.
void ColumnSums(const float* m, std::size_t rows, std::size_t cols, std::size_t stride, float* sums);

// Σ (a[i] − b[i])² for i < n, in double.
double SumSquaredDifference(const float* a, const float* b, std::size_t n);

// A row of a mean squared error: g[i] = (float)((x[i] − t[i])·2·scale) in double (g may equal x,
// or be null), and Σ (x[i] − t[i])² in double over eight chains, chain j taking the i ≡ j
// (mod 8) in order; the chains added in order, then the elements past the last whole eight.
// The same bits on every target.
double SquaredErrorRow(const float* x, const float* t, std::size_t n, double scale, float* g);

}  // namespace gibbs::kernels
