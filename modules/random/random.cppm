// gibbs.random: counter-based Philox4x32-10 streams (bit-identical to Random123), vectorised;
// a draw depends on (seed, stream id, position) only, so any thread count gives the same matrix.
module;
#include <cstdint>
#include <span>
#include <vector>
export module gibbs.random;
export import :streams;
import gibbs.core;

// How positions map to Philox (Random123's philox4x32, 10 rounds):
//   key     = (seed & 0xffffffff, seed >> 32)
//   counter = (block & 0xffffffff, block >> 32, id & 0xffffffff, id >> 32)
// Each block gives four 32-bit outputs; position p is output p % 4 of block p / 4. A call
// with `offset` writes positions offset + i to element i, and element (r, c) of a matrix
// or view is element r·cols + c (the stride never matters). Positions past 2⁶⁴ − 1 are an
// ArgumentError. Values at position p, from its 32-bit output x:
//   uniform   (x >> 8) · 2⁻²⁴, in [0, 1)
//   bernoulli 1 if uniform(p) < probability else 0
//   normal    pairs (2q, 2q+1) by Box–Muller: u1 = ((x[2q] >> 8) + 1) · 2⁻²⁴ in (0, 1],
//             θ = 2π · (x[2q+1] >> 8) · 2⁻²⁴, r = sqrt(−2 ln u1); position 2q gets
//             mean + stddev · r cos θ, position 2q+1 gets mean + stddev · r sin θ.
// Values are the same for every thread count; uniform, Bernoulli and raw outputs are also
// the same on every SIMD target, normals to within the last bits of Highway's Log/Sin/Cos.
export namespace gibbs::random {

// Raw 32-bit Philox outputs; bits(s, 4 · b, out) starts at block b.
void bits(Stream s, std::uint64_t offset, std::span<std::uint32_t> out);

void uniform(Stream s, std::uint64_t offset, std::span<float> out);
void uniform(Stream s, std::uint64_t offset, MatrixView<float> out);

void normal(Stream s, std::uint64_t offset, std::span<float> out, float mean = 0.0f, float stddev = 1.0f);
void normal(Stream s, std::uint64_t offset, MatrixView<float> out, float mean = 0.0f, float stddev = 1.0f);

// out(r, c) = uniform(offset + r·cols + c) < probabilities(r, c) ? 1 : 0. The shapes must
// match (ShapeError); out may be probabilities itself.
void bernoulli(Stream s, std::uint64_t offset, ConstView<float> probabilities, MatrixView<float> out);

// A permutation of 0 … n−1 by Fisher–Yates from the stream's first 2n outputs: going down
// from i = n − 1, element i swaps with j = ⌊r·(i + 1) / 2⁶⁴⌋, r the 64 bits of outputs 2i, 2i+1.
std::vector<std::size_t> permutation(Stream s, std::size_t n);
// The same permutation from outputs offset … offset + 2n − 1 into `order` (n = order.size()),
// with `scratch` (at least 2n values) for the raw outputs: nothing is allocated, for inner loops.
void permutation(Stream s, std::uint64_t offset, std::span<std::uint32_t> order, std::span<std::uint32_t> scratch);

}  // namespace gibbs::random
