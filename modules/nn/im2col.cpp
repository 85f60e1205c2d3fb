// The convolution's data movement: im2col, col2im, and the pixel-major ⇄ NCHW transposes,
// each parallel over samples only (a sample's arithmetic is always done in the same order).
module;
#include <algorithm>
#include <cstddef>
#include <cstring>
module gibbs.nn;
import gibbs.core;

namespace gibbs::nn {
namespace {

// Input offset of window tap k of output coordinate o, or -1 past either edge.
inline std::ptrdiff_t tap(const ConvGeometry& g, std::size_t o, std::size_t k, std::size_t extent) {
  const auto i = static_cast<std::ptrdiff_t>(o * g.stride + k) - static_cast<std::ptrdiff_t>(g.padding);
  return i >= 0 && i < static_cast<std::ptrdiff_t>(extent) ? i : -1;
}

// Whether the whole row of the window of output column ox lies inside the input.
inline bool row_inside(const ConvGeometry& g, std::size_t ox) {
  return ox * g.stride >= g.padding && ox * g.stride - g.padding + g.kernel <= g.in.width;
}

}  // namespace

void im2col(const ConvGeometry& g, ConstView<float> input, MatrixView<float> patches) {
  const std::size_t k = g.kernel, pixels = g.out.height * g.out.width;
  for_rows(input.rows(), pixels * patches.cols(), [&](std::size_t n0, std::size_t n1) {
    for (std::size_t n = n0; n < n1; ++n) {
      const float* x = input.row(n).data();
      for (std::size_t oy = 0; oy < g.out.height; ++oy)
        for (std::size_t ox = 0; ox < g.out.width; ++ox) {
          float* dst = patches.row(n * pixels + oy * g.out.width + ox).data();
          const bool inside = row_inside(g, ox);
          const std::size_t x0 = ox * g.stride - (inside ? g.padding : 0);
          for (std::size_t c = 0; c < g.in.channels; ++c)
            for (std::size_t ky = 0; ky < k; ++ky, dst += k) {
              const std::ptrdiff_t iy = tap(g, oy, ky, g.in.height);
              if (iy < 0) {
                std::fill_n(dst, k, 0.0f);
                continue;
              }
              const float* src = x + (c * g.in.height + static_cast<std::size_t>(iy)) * g.in.width;
              if (inside) {
                std::copy_n(src + x0, k, dst);
                continue;
              }
              for (std::size_t kx = 0; kx < k; ++kx) {
                const std::ptrdiff_t ix = tap(g, ox, kx, g.in.width);
                dst[kx] = ix < 0 ? 0.0f : src[ix];
              }
            }
        }
    }
  });
}

void col2im(const ConvGeometry& g, ConstView<float> grad_patches, MatrixView<float> grad_input) {
  const std::size_t k = g.kernel, pixels = g.out.height * g.out.width;
  for_rows(grad_input.rows(), pixels * grad_patches.cols(), [&](std::size_t n0, std::size_t n1) {
    for (std::size_t n = n0; n < n1; ++n) {
      float* dx = grad_input.row(n).data();
      std::fill_n(dx, grad_input.cols(), 0.0f);
      for (std::size_t oy = 0; oy < g.out.height; ++oy)
        for (std::size_t ox = 0; ox < g.out.width; ++ox) {
          const float* src = grad_patches.row(n * pixels + oy * g.out.width + ox).data();
          const bool inside = row_inside(g, ox);
          const std::size_t x0 = ox * g.stride - (inside ? g.padding : 0);
          for (std::size_t c = 0; c < g.in.channels; ++c)
            for (std::size_t ky = 0; ky < k; ++ky, src += k) {
              const std::ptrdiff_t iy = tap(g, oy, ky, g.in.height);
              if (iy < 0) continue;
              float* dst = dx + (c * g.in.height + static_cast<std::size_t>(iy)) * g.in.width;
              if (inside) {
                for (std::size_t kx = 0; kx < k; ++kx) dst[x0 + kx] += src[kx];
                continue;
              }
              for (std::size_t kx = 0; kx < k; ++kx) {
                const std::ptrdiff_t ix = tap(g, ox, kx, g.in.width);
                if (ix >= 0) dst[ix] += src[kx];
              }
            }
        }
    }
  });
}

namespace {
constexpr std::size_t kTransposeBlock = 64;  // pixels per block: 64 × F floats stay in L1
}

void pixels_to_rows(ConstView<float> pixels, std::size_t per_sample, MatrixView<float> rows) {
  const std::size_t features = pixels.cols();
  for_rows(rows.rows(), rows.cols(), [&](std::size_t n0, std::size_t n1) {
    for (std::size_t n = n0; n < n1; ++n) {
      float* out = rows.row(n).data();
      for (std::size_t p0 = 0; p0 < per_sample; p0 += kTransposeBlock) {
        const std::size_t p1 = std::min(per_sample, p0 + kTransposeBlock);
        for (std::size_t f = 0; f < features; ++f)
          for (std::size_t p = p0; p < p1; ++p) out[f * per_sample + p] = pixels(n * per_sample + p, f);
      }
    }
  });
}

void rows_to_pixels(ConstView<float> rows, std::size_t per_sample, MatrixView<float> pixels) {
  const std::size_t features = pixels.cols();
  for_rows(rows.rows(), rows.cols(), [&](std::size_t n0, std::size_t n1) {
    for (std::size_t n = n0; n < n1; ++n) {
      const float* in = rows.row(n).data();
      for (std::size_t p0 = 0; p0 < per_sample; p0 += kTransposeBlock) {
        const std::size_t p1 = std::min(per_sample, p0 + kTransposeBlock);
        for (std::size_t p = p0; p < p1; ++p) {
          float* dst = pixels.row(n * per_sample + p).data();
          for (std::size_t f = 0; f < features; ++f) dst[f] = in[f * per_sample + p];
        }
      }
    }
  });
}

}  // namespace gibbs::nn
