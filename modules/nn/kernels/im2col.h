// Plain declarations of the row runs of im2col and col2im (no Highway types).
#pragma once
#include <cstddef>

namespace gibbs::kernels {

// dst[r·width + i] = src[r·src_stride + i] for r < rows, i < width.
void CopyRuns(const float* src, std::size_t src_stride, float* dst, std::size_t rows, std::size_t width);

// dst[r·dst_stride + i] += src[r·width + i] for r < rows, i < width: one addition per element.
void AddRuns(const float* src, float* dst, std::size_t dst_stride, std::size_t rows, std::size_t width);

}  // namespace gibbs::kernels
