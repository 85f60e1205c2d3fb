// Compiles the Gram tile body once per Highway target and exports the dispatching entry point.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "modules/linalg/kernels/gram.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include "modules/linalg/kernels/gram-inl.h"

#if HWY_ONCE
namespace gibbs::kernels {
HWY_EXPORT(GramTileImpl);

void GramTile(const double* p, std::size_t ldp, std::size_t rows, std::size_t i0, std::size_t i1, std::size_t j0,
              std::size_t j1, double* c, std::size_t ldc) {
  HWY_DYNAMIC_DISPATCH(GramTileImpl)(p, ldp, rows, i0, i1, j0, j1, c, ldc);
}
}  // namespace gibbs::kernels
#endif
