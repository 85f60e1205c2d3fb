// Plain declaration of the double-precision Gram tile kernel behind the covariance (no Highway types).
#pragma once
#include <cstddef>

namespace gibbs::kernels {

// c[i·ldc + j] += Σ_{r < rows} p[r·ldp + i] · p[r·ldp + j] for i in [i0, i1) and j in [j0, j1):
// one tile of PᵀP for a panel P of `rows` rows (row stride ldp). Each element's sum runs over the
// rows in order, in a register, and is then added to c: its bits depend on the target and on the
// tile's bounds, never on which thread runs the tile.
void GramTile(const double* p, std::size_t ldp, std::size_t rows, std::size_t i0, std::size_t i1, std::size_t j0,
              std::size_t j1, double* c, std::size_t ldc);

}  // namespace gibbs::kernels
