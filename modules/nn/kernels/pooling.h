// Plain declarations of the 2×2 max pooling (stride 2) of planes, forward and backward (no Highway types).
#pragma once
#include <cstddef>

namespace gibbs::kernels {

// x holds `planes` planes of height × width, y as many of ⌊height/2⌋ × ⌊width/2⌋ (an odd last row
// or column is left out). y's each value is the pick of its 2×2 window, scanned top left, top
// right, bottom left, bottom right; v replaces the pick when !(v <= pick) and the pick is not
// NaN: ties keep the first (-0 before +0 stays -0), the first NaN wins (PyTorch's).
void MaxPool2x2(const float* x, std::size_t planes, std::size_t height, std::size_t width, float* y);

// The backward of MaxPool2x2 from its output y: dx (x's shape) gets dy at each window's pick
// and zeros elsewhere, an odd last row or column included. The pick is the first of the window
// equal to y (the last when none of the first three is); when y is NaN, the window's first NaN.
void MaxPool2x2Backward(const float* x, const float* y, const float* dy, std::size_t planes, std::size_t height,
                        std::size_t width, float* dx);

}  // namespace gibbs::kernels
