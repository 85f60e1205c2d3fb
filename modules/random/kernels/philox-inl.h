// Per-target Philox4x32-10: one block per 64-bit lane (a counter word in the low half, so
// MulEven gives the whole 32×32→64 product), several groups of blocks in flight, then a
// per-128-bit interleave that puts the outputs in position order.
#if defined(GIBBS_RANDOM_PHILOX_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GIBBS_RANDOM_PHILOX_INL_H_
#undef GIBBS_RANDOM_PHILOX_INL_H_
#else
#define GIBBS_RANDOM_PHILOX_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include "modules/random/kernels/philox.h"

HWY_BEFORE_NAMESPACE();
namespace gibbs::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D64 = hn::ScalableTag<std::uint64_t>;
using D32 = hn::Repartition<std::uint32_t, D64>;
using DI = hn::Repartition<std::int32_t, D64>;
using DF = hn::Repartition<float, D64>;
using V64 = hn::Vec<D64>;
using V32 = hn::Vec<D32>;
using VF = hn::Vec<DF>;

// Groups of blocks per batch: enough to hide the multiply latency, few enough to stay in
// registers (32 of them from AVX3 on, 16 before).
constexpr std::size_t kGroups = HWY_TARGET <= HWY_AVX3 ? 4 : 2;
constexpr std::size_t kMaxBatch = kGroups * 4 * hn::MaxLanes(D64());  // positions per batch

// Block offsets of the lanes: lane 2j holds block j and lane 2j+1 block L/2 + j, so that
// interleaving the 128-bit halves of two vectors yields blocks 0..L/2-1, then L/2..L-1.
HWY_INLINE V64 LaneBlocks(D64 d) {
  const V64 lane = hn::Iota(d, 0);
  const V64 odd = hn::Sub(hn::Zero(d), hn::And(lane, hn::Set(d, 1)));  // all ones in odd lanes
  return hn::Add(hn::ShiftRight<1>(lane), hn::And(odd, hn::Set(d, hn::Lanes(d) / 2)));
}

struct Counter {
  V64 lane_blocks, stream_lo, stream_hi;
  explicit Counter(std::uint64_t stream)
      : lane_blocks(LaneBlocks(D64())),
        stream_lo(hn::Set(D64(), stream & 0xFFFFFFFFu)),
        stream_hi(hn::Set(D64(), stream >> 32)) {}
  // Counter words of the L blocks starting at `block`; only the low halves of lanes matter.
  HWY_INLINE void Init(std::uint64_t block, V64 (&c)[4]) const {
    const V64 b = hn::Add(hn::Set(D64(), block), lane_blocks);
    c[0] = b;
    c[1] = hn::ShiftRight<32>(b);
    c[2] = stream_lo;
    c[3] = stream_hi;
  }
};

// Ten Philox rounds on K groups. The high halves of lanes collect garbage that MulEven
// ignores and the packing at the end drops.
template <std::size_t K>
HWY_INLINE void Rounds(std::uint64_t seed, V64 (&c)[K][4]) {
  const D64 d;
  const D32 d32;
  const V32 m0 = hn::Set(d32, 0xD2511F53u), m1 = hn::Set(d32, 0xCD9E8D57u);
  const V32 w0 = hn::Set(d32, 0x9E3779B9u), w1 = hn::Set(d32, 0xBB67AE85u);
  V32 k0 = hn::Set(d32, static_cast<std::uint32_t>(seed));
  V32 k1 = hn::Set(d32, static_cast<std::uint32_t>(seed >> 32));
  for (int round = 0; round < 10; ++round) {
    if (round != 0) {
      k0 = hn::Add(k0, w0);
      k1 = hn::Add(k1, w1);
    }
    for (std::size_t g = 0; g < K; ++g) {
      const V64 p0 = hn::MulEven(hn::BitCast(d32, c[g][0]), m0);
      const V64 p1 = hn::MulEven(hn::BitCast(d32, c[g][2]), m1);
      c[g][0] = hn::Xor3(hn::ShiftRight<32>(p1), c[g][1], hn::BitCast(d, k0));
      c[g][1] = p1;
      c[g][2] = hn::Xor3(hn::ShiftRight<32>(p0), c[g][3], hn::BitCast(d, k1));
      c[g][3] = p0;
    }
  }
}

// u32 lanes (a_t, b_t) from the low halves of the 64-bit lanes of a and b.
HWY_INLINE V32 PackLow(V64 a, V64 b) {
  const D32 d32;
  return hn::OddEven(hn::BitCast(d32, hn::ShiftLeft<32>(b)), hn::BitCast(d32, a));
}

// Outputs of one group in position order, from a = words (0, 1) and b = words (2, 3) of
// each block: lo holds positions [0, 2L), hi [2L, 4L).
HWY_INLINE void InOrder(V32 a, V32 b, V32& lo, V32& hi) {
  const D64 d64;
  const D32 d32;
  lo = hn::BitCast(d32, hn::InterleaveLower(d64, hn::BitCast(d64, a), hn::BitCast(d64, b)));
  hi = hn::BitCast(d32, hn::InterleaveUpper(d64, hn::BitCast(d64, a), hn::BitCast(d64, b)));
}

HWY_INLINE VF ToUnit(V32 bits) {  // (bits >> 8) · 2⁻²⁴
  const DF df;
  return hn::Mul(hn::ConvertTo(df, hn::BitCast(DI(), hn::ShiftRight<8>(bits))), hn::Set(df, 0x1p-24f));
}

struct BitsSink {
  using D = D32;
  using T = std::uint32_t;
  T* out;
  HWY_INLINE void Values(const V64 (&c)[4], V32& lo, V32& hi) const {
    InOrder(PackLow(c[0], c[1]), PackLow(c[2], c[3]), lo, hi);
  }
  HWY_INLINE void Put(V32 v, std::size_t i) const { hn::StoreU(v, D(), out + i); }
  void Finish(const T* values, std::size_t i, std::size_t n) const { std::memcpy(out + i, values, n * sizeof(T)); }
};

struct UniformSink {
  using D = DF;
  using T = float;
  T* out;
  HWY_INLINE void Values(const V64 (&c)[4], VF& lo, VF& hi) const {
    V32 blo, bhi;
    BitsSink{nullptr}.Values(c, blo, bhi);
    lo = ToUnit(blo);
    hi = ToUnit(bhi);
  }
  HWY_INLINE void Put(VF v, std::size_t i) const { hn::StoreU(v, D(), out + i); }
  void Finish(const T* values, std::size_t i, std::size_t n) const { std::memcpy(out + i, values, n * sizeof(T)); }
};

struct BernoulliSink {
  using D = DF;
  using T = float;
  const float* probability;
  T* out;
  HWY_INLINE void Values(const V64 (&c)[4], VF& lo, VF& hi) const { UniformSink{nullptr}.Values(c, lo, hi); }
  HWY_INLINE void Put(VF u, std::size_t i) const {
    const DF df;
    const VF one = hn::Set(df, 1.0f);
    hn::StoreU(hn::IfThenElseZero(hn::Lt(u, hn::LoadU(df, probability + i)), one), df, out + i);
  }
  void Finish(const T* values, std::size_t i, std::size_t n) const {
    for (std::size_t j = 0; j < n; ++j) out[i + j] = values[j] < probability[i + j] ? 1.0f : 0.0f;
  }
};

// Block b's outputs (x0, x1, x2, x3) give the pairs (x0, x1) and (x2, x3): positions 4b and
// 4b+2 take r·cos θ, positions 4b+1 and 4b+3 take r·sin θ.
struct NormalSink {
  using D = DF;
  using T = float;
  float mean, stddev;
  T* out;
  HWY_INLINE void Values(const V64 (&c)[4], VF& lo, VF& hi) const {
    const DF df;
    const V32 first = PackLow(c[0], c[2]), second = PackLow(c[1], c[3]);
    const VF u1 = hn::Add(ToUnit(first), hn::Set(df, 0x1p-24f));  // (0, 1]: log never sees 0
    const VF theta = hn::Mul(ToUnit(second), hn::Set(df, 6.2831853071795864769f));
    const VF r = hn::Sqrt(hn::Max(hn::Zero(df), hn::Mul(hn::Set(df, -2.0f), hn::Log(df, u1))));
    // 32-bit interleave: lanes (cos, sin) of pair (x0, x1), then of pair (x2, x3).
    const VF z_cos = hn::Mul(r, hn::Cos(df, theta)), z_sin = hn::Mul(r, hn::Sin(df, theta));
    lo = hn::MulAdd(hn::InterleaveLower(df, z_cos, z_sin), hn::Set(df, stddev), hn::Set(df, mean));
    hi = hn::MulAdd(hn::InterleaveUpper(df, z_cos, z_sin), hn::Set(df, stddev), hn::Set(df, mean));
  }
  HWY_INLINE void Put(VF v, std::size_t i) const { hn::StoreU(v, D(), out + i); }
  void Finish(const T* values, std::size_t i, std::size_t n) const { std::memcpy(out + i, values, n * sizeof(T)); }
};

// Whole aligned batches go straight to the sink; a batch that starts inside a block or
// runs past the end goes through a buffer, computed group by group with the same code, so
// every value is the same whichever path produced it.
template <class Sink>
HWY_INLINE void Fill(const PhiloxStream& s, std::uint64_t position, std::size_t count, const Sink& sink) {
  using D = typename Sink::D;
  using V = hn::Vec<D>;
  const D d;
  const std::size_t lanes = hn::Lanes(d);  // = 2L: half a group
  const std::size_t group = 2 * lanes, batch = kGroups * group;
  const Counter counter(s.stream);
  HWY_ALIGN typename Sink::T buffer[kMaxBatch];
  std::size_t i = 0;
  while (i < count) {
    const std::uint64_t pos = position + i;
    const std::uint64_t block = pos / 4;
    const std::size_t skip = static_cast<std::size_t>(pos % 4);
    V lo, hi;
    if (skip == 0 && count - i >= batch) {
      V64 c[kGroups][4];
      for (std::size_t g = 0; g < kGroups; ++g) counter.Init(block + g * (group / 4), c[g]);
      Rounds(s.seed, c);
      for (std::size_t g = 0; g < kGroups; ++g) {
        sink.Values(c[g], lo, hi);
        sink.Put(lo, i + g * group);
        sink.Put(hi, i + g * group + lanes);
      }
      i += batch;
      continue;
    }
    const std::size_t n = std::min(batch - skip, count - i);
    for (std::size_t g = 0; g * group < skip + n; ++g) {
      V64 c[1][4];
      counter.Init(block + g * (group / 4), c[0]);
      Rounds(s.seed, c);
      sink.Values(c[0], lo, hi);
      hn::Store(lo, d, buffer + g * group);
      hn::Store(hi, d, buffer + g * group + lanes);
    }
    sink.Finish(buffer + skip, i, n);
    i += n;
  }
}

void PhiloxBitsImpl(const PhiloxStream& s, std::uint64_t position, std::size_t count, std::uint32_t* out) {
  Fill(s, position, count, BitsSink{out});
}

void PhiloxUniformImpl(const PhiloxStream& s, std::uint64_t position, std::size_t count, float* out) {
  Fill(s, position, count, UniformSink{out});
}

void PhiloxNormalImpl(const PhiloxStream& s, std::uint64_t position, std::size_t count, float mean, float stddev,
                      float* out) {
  Fill(s, position, count, NormalSink{mean, stddev, out});
}

void PhiloxBernoulliImpl(const PhiloxStream& s, std::uint64_t position, std::size_t count, const float* probability,
                         float* out) {
  Fill(s, position, count, BernoulliSink{probability, out});
}

}  // namespace gibbs::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // GIBBS_RANDOM_PHILOX_INL_H_
