// Plain declarations of the 2×2 max pooling (stride 2) of planes, forward and backward (no Highway types).
#pragma once
#include <cstddef>
#include <cstdint>

namespace gibbs::kernels {

// The bytes a row of `outputs` picks takes: whole multiples of the widest vector's 16 lanes.
constexpr std::size_t PicksPerRow(std::size_t outputs) { return (outputs + 15) / 16 * 16; }

// x holds `planes` planes of height × width, each plane_stride floats after the one before (at
// least height·width), y as many of ⌊height/2⌋ × ⌊width/2⌋, one after another (an odd last row or
// column is left out). y's each value is the pick of its 2×2 window, scanned top left, top
// right, bottom left, bottom right; v replaces the pick when !(v <= pick) and the pick is not
// NaN: ties keep the first (-0 before +0 stays -0), the first NaN wins (PyTorch's).
// With picks (not null), each window's pick too, a byte per y value: 0 top left, 1 top right,
// 2 bottom left, 3 bottom right; a row of picks takes PicksPerRow(⌊width/2⌋) bytes, so that whole
// vectors of them are stored and loaded (the bytes past a row's outputs are scratch).
void MaxPool2x2(const float* x, std::size_t planes, std::size_t plane_stride, std::size_t height, std::size_t width,
                float* y, std::uint8_t* picks = nullptr);

// The backward of MaxPool2x2 from its output y: dx (x's shape) gets dy at each window's pick
// and zeros elsewhere, an odd last row or column included. The pick is the first of the window
// equal to y (the last when none of the first three is); when y is NaN, the window's first NaN.
void MaxPool2x2Backward(const float* x, const float* y, const float* dy, std::size_t planes, std::size_t height,
                        std::size_t width, float* dx);

// The same backward from the forward's picks instead of x and y (the same values: the first
// input equal to a window's output is its pick, or its first NaN), dx's planes plane_stride
// floats apart as x's in MaxPool2x2.
void MaxPool2x2PicksBackward(const std::uint8_t* picks, const float* dy, std::size_t planes, std::size_t height,
                             std::size_t width, float* dx, std::size_t plane_stride);

}  // namespace gibbs::kernels
