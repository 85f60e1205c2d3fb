// Plain declarations of the 2×2 max pooling of one output row, forward and backward (no Highway types).
#pragma once
#include <cstddef>

namespace gibbs::kernels {

// y[o] for o < count: the pick of the 2×2 window top[2o, 2o + 1], bottom[2o, 2o + 1], scanned
// top left, top right, bottom left, bottom right; v replaces the pick when !(v <= pick) and the
// pick is not NaN: ties keep the first (-0 before +0 stays -0), the first NaN wins (PyTorch's).
void MaxPool2x2Row(const float* top, const float* bottom, float* y, std::size_t count);

// The backward of MaxPool2x2Row from its output y: top_dx and bottom_dx [0, 2·count) get dy[o]
// at window o's pick and zeros elsewhere. The pick is the first of the window equal to y[o]
// (the last when none of the first three is); when y[o] is NaN, the window's first NaN.
void MaxPool2x2BackwardRow(const float* top, const float* bottom, const float* y, const float* dy, float* top_dx,
                           float* bottom_dx, std::size_t count);

}  // namespace gibbs::kernels
