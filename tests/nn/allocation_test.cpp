// After its first minibatch, a training step (forward, loss, backward, optimiser step) allocates
// nothing, and neither does a call of simd's elementwise functions: every operator new in the
// process is counted. (Not under AddressSanitizer, which brings its own operator new.)
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>
#include "tests/nn/support.h"
import gibbs.core;
import gibbs.nn;
import gibbs.simd;

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GIBBS_TEST_ASAN 1
#endif
#endif

#ifndef GIBBS_TEST_ASAN
namespace {
std::atomic<std::size_t> allocation_count{0};

void* counted(std::size_t size, std::size_t alignment = alignof(std::max_align_t)) {
  ++allocation_count;
  const std::size_t rounded = (std::max<std::size_t>(size, 1) + alignment - 1) / alignment * alignment;
  void* p = alignment <= alignof(std::max_align_t) ? std::malloc(size == 0 ? 1 : size)
                                                   : std::aligned_alloc(alignment, rounded);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t size) { return counted(size); }
void* operator new[](std::size_t size) { return counted(size); }
void* operator new(std::size_t size, std::align_val_t a) { return counted(size, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return counted(size, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
#endif

namespace nn = gibbs::nn;
namespace simd = gibbs::simd;

BOOST_AUTO_TEST_SUITE(allocations)

BOOST_AUTO_TEST_CASE(a_training_step_allocates_only_in_the_first_minibatch) {
#ifdef GIBBS_TEST_ASAN
  BOOST_TEST_MESSAGE("skipped under AddressSanitizer");
#else
  std::mt19937 rng(81);
  const gibbs::Matrix<float> x = gibbs::test::random_matrix(64, 784, rng, 0.0f, 1.0f);
  std::vector<std::int32_t> labels(64);
  for (auto& l : labels) l = static_cast<std::int32_t>(rng() % 10);
  for (const int threads : {1, 2}) {
    for (const char* arch : {"conv3x3:32,relu,maxpool2,conv3x3:64,relu,maxpool2,flatten,dense:128,relu,dense:10",
                             "flatten,dense:128,tanh,dense:64,sigmoid,dense:10,softmax"}) {
      gibbs::set_thread_count(threads);
      nn::Network net(nn::parse_arch(arch, {1, 28, 28}));
      net.initialize(1);
      nn::Adam adam(net.parameters(), {});
      gibbs::Matrix<float> dy(64, 10);
      const auto step = [&](std::size_t batch) {
        const gibbs::ConstView<float> xb = x.view().block(0, 0, batch, 784);
        const gibbs::MatrixView<float> dyb = dy.view().block(0, 0, batch, 10);
        net.zero_grad();
        nn::softmax_cross_entropy(net.forward(xb), std::span<const std::int32_t>(labels.data(), batch), dyb);
        net.backward(xb, dyb);
        adam.step();
      };
      step(64);
      const std::size_t before = allocation_count.load();
      step(64);
      step(17);  // a smaller last minibatch reuses the buffers
      step(64);
      BOOST_TEST(allocation_count.load() - before == 0u, arch << " with " << threads << " threads");
    }
  }
  gibbs::set_thread_count(0);
#endif
}

// Each call checks its operands' shapes and overlap; the messages it would throw are not built.
BOOST_AUTO_TEST_CASE(elementwise_calls_allocate_nothing) {
#ifdef GIBBS_TEST_ASAN
  BOOST_TEST_MESSAGE("skipped under AddressSanitizer");
#else
  std::mt19937 rng(82);
  const gibbs::Matrix<float> x = gibbs::test::random_matrix(64, 200, rng, -2.0f, 2.0f);
  gibbs::Matrix<float> y(64, 200);
  const auto calls = [&] {
    for (const simd::Activation a :
         {simd::Activation::kIdentity, simd::Activation::kSigmoid, simd::Activation::kTanh, simd::Activation::kRelu}) {
      simd::activate(a, x.view(), y.view());
      simd::activate(a, x.values(), y.values());
    }
    simd::exp(x.view(), y.view());
    simd::softplus(x.values(), y.values());
    simd::axpy(0.5f, x.view(), y.view());
    simd::axpy(0.5f, x.values(), y.values());
  };
  for (const int threads : {1, 2}) {
    gibbs::set_thread_count(threads);
    calls();
    const std::size_t before = allocation_count.load();
    calls();
    BOOST_TEST(allocation_count.load() - before == 0u, threads << " threads");
  }
  gibbs::set_thread_count(0);
#endif
}

BOOST_AUTO_TEST_SUITE_END()
