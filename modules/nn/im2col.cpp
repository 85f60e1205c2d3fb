// The convolution's data movement: im2col, col2im and the filter-major ⇄ NCHW block copies,
// on the calling thread (Conv2d runs chunks of samples in parallel).
module;
#include "modules/nn/kernels/im2col.h"
#include <algorithm>
#include <cstddef>
#include <cstring>
module gibbs.nn;
import gibbs.core;
import gibbs.simd;

namespace gibbs::nn {
namespace {

// The outputs o in [0, count) whose tap k lands inside [0, extent): o·stride + k − padding.
struct Span {
  std::size_t begin, end;
};

Span inside(std::size_t count, std::size_t extent, std::size_t k, std::size_t stride, std::size_t padding) {
  if (extent + padding <= k) return {0, 0};
  const std::size_t begin = k >= padding ? 0 : (padding - k + stride - 1) / stride;
  const std::size_t end = std::min(count, (extent - 1 + padding - k) / stride + 1);
  return {std::min(begin, end), end};
}

// dst[0, n) = src[0, n) for the short rows of im2col (11 values in the W6 CNN's second
// layer): moves of 4 floats, the last one overlapping the one before, so that no row pays
// for a scalar remainder loop or a call to memmove.
inline void copy_short(const float* src, float* dst, std::size_t n) {
  if (n < 4) {
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
    return;
  }
  for (std::size_t i = 0; i + 4 < n; i += 4) std::memcpy(dst + i, src + i, 4 * sizeof(float));
  std::memcpy(dst + n - 4, src + n - 4, 4 * sizeof(float));
}

}  // namespace

// Tap by tap, then sample by sample: each row of the patches is written from start to end.
void im2col(const ConvGeometry& g, ConstView<float> input, MatrixView<float> patches) {
  const std::size_t k = g.kernel, s = g.stride, p = g.padding, ow = g.out.width, pixels = g.out.height * ow;
  for (std::size_t c = 0, t = 0; c < g.in.channels; ++c)
    for (std::size_t ky = 0; ky < k; ++ky) {
      const Span rows = inside(g.out.height, g.in.height, ky, s, p);
      for (std::size_t kx = 0; kx < k; ++kx, ++t) {
        const Span cols = inside(ow, g.in.width, kx, s, p);
        for (std::size_t n = 0; n < input.rows(); ++n) {
          const float* x = input.row(n).data();
          float* dst = patches.row(t).data() + n * pixels;
          std::fill(dst, dst + rows.begin * ow, 0.0f);
          if (s == 1 && cols.begin == 0 && cols.end == ow) {  // whole output rows inside the image
            kernels::CopyRuns(x + (c * g.in.height + rows.begin + ky - p) * g.in.width + kx - p, g.in.width,
                              dst + rows.begin * ow, rows.end - rows.begin, ow);
            std::fill(dst + rows.end * ow, dst + pixels, 0.0f);
            continue;
          }
          for (std::size_t oy = rows.begin; oy < rows.end; ++oy) {
            float* d = dst + oy * ow;
            const float* row = x + (c * g.in.height + oy * s + ky - p) * g.in.width;  // ox·s + kx − p ≥ 0 inside
            for (std::size_t ox = 0; ox < cols.begin; ++ox) d[ox] = 0.0f;
            if (s == 1)
              copy_short(row + (cols.begin + kx - p), d + cols.begin, cols.end - cols.begin);
            else
              for (std::size_t ox = cols.begin; ox < cols.end; ++ox) d[ox] = row[ox * s + kx - p];
            for (std::size_t ox = cols.end; ox < ow; ++ox) d[ox] = 0.0f;
          }
          std::fill(dst + rows.end * ow, dst + pixels, 0.0f);
        }
      }
    }
}

// Tap by tap as im2col; every input still receives its additions in tap order.
void col2im(const ConvGeometry& g, ConstView<float> grad_patches, MatrixView<float> grad_input) {
  const std::size_t k = g.kernel, s = g.stride, p = g.padding, ow = g.out.width, pixels = g.out.height * ow;
  for (std::size_t n = 0; n < grad_input.rows(); ++n) std::fill_n(grad_input.row(n).data(), grad_input.cols(), 0.0f);
  for (std::size_t c = 0, t = 0; c < g.in.channels; ++c)
    for (std::size_t ky = 0; ky < k; ++ky) {
      const Span rows = inside(g.out.height, g.in.height, ky, s, p);
      for (std::size_t kx = 0; kx < k; ++kx, ++t) {
        const Span cols = inside(ow, g.in.width, kx, s, p);
        for (std::size_t n = 0; n < grad_input.rows(); ++n) {
          float* dx = grad_input.row(n).data();
          const float* src = grad_patches.row(t).data() + n * pixels;
          if (s == 1 && cols.begin == 0 && cols.end == ow) {
            kernels::AddRuns(src + rows.begin * ow, dx + (c * g.in.height + rows.begin + ky - p) * g.in.width + kx - p,
                             g.in.width, rows.end - rows.begin, ow);
            continue;
          }
          for (std::size_t oy = rows.begin; oy < rows.end; ++oy) {
            const float* d = src + oy * ow;
            float* row = dx + (c * g.in.height + oy * s + ky - p) * g.in.width;  // ox·s + kx − p ≥ 0 inside
            if (s == 1) {
              float* out = row + (cols.begin + kx - p);
              for (std::size_t ox = cols.begin; ox < cols.end; ++ox) *out++ += d[ox];
            } else {
              for (std::size_t ox = cols.begin; ox < cols.end; ++ox) row[ox * s + kx - p] += d[ox];
            }
          }
        }
      }
    }
}

void blocks_to_rows(ConstView<float> blocks, std::size_t per_sample, MatrixView<float> rows) {
  for (std::size_t n = 0; n < rows.rows(); ++n)
    for (std::size_t f = 0; f < blocks.rows(); ++f) {
      const float* src = blocks.row(f).data() + n * per_sample;
      std::copy(src, src + per_sample, rows.row(n).data() + f * per_sample);
    }
}

void rows_to_blocks(ConstView<float> rows, std::size_t per_sample, MatrixView<float> blocks, ConstView<float> activated,
                    simd::Activation activation) {
  for (std::size_t n = 0; n < rows.rows(); ++n)
    for (std::size_t f = 0; f < blocks.rows(); ++f) {
      const float* src = rows.row(n).data() + f * per_sample;
      float* dst = blocks.row(f).data() + n * per_sample;
      if (activated.empty())
        std::copy(src, src + per_sample, dst);
      else
        activation_backward(activation, activated.row(n).data() + f * per_sample, src, dst, per_sample);
    }
}

}  // namespace gibbs::nn
