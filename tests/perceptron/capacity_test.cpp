// The perceptron plugin's capacity experiment: each trial against a literal replay of the
// notebook's loop, the half point for N = 20, the same result for any thread count.
#define BOOST_TEST_MODULE perceptron_capacity
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "plugins/perceptron/capacity.h"
import gibbs.core;
import gibbs.nn;
import gibbs.random;

namespace nn = gibbs::nn;
namespace cap = gibbs::perceptron;

namespace {

// The notebook's loop, literally: check the error on every pattern, stop at zero, else one epoch
// of per-sample updates in a fresh order; the draws addressed as capacity_sweep documents.
bool notebook_trial(const cap::CapacitySettings& s, std::size_t patterns, std::size_t trial) {
  const std::size_t n = s.inputs;
  const gibbs::random::Stream stream = gibbs::random::streams::capacity_trial(s.seed, patterns, trial);
  std::vector<float> x(patterns * n), y(patterns), w(n, 0.0f);
  gibbs::random::uniform(stream, 0, x);
  for (float& v : x) v = 2 * v - 1;
  gibbs::random::uniform(stream, patterns * n, y);
  for (float& v : y) v = v < 0.5f ? -1.0f : 1.0f;
  float b = 0;
  std::vector<std::uint32_t> order(patterns), raw(2 * patterns);
  for (std::size_t epoch = 0;; ++epoch) {
    double error = 0;
    for (std::size_t p = 0; p < patterns; ++p) {
      const float e = y[p] - nn::perceptron_sign(nn::perceptron_net(w, b, std::span(x).subspan(p * n, n)));
      error += e * e;
    }
    if (error == 0) return true;
    if (epoch == s.max_epochs) return false;
    gibbs::random::permutation(stream, patterns * (n + 1) + 2 * patterns * epoch, order, raw);
    for (const std::uint32_t p : order) nn::perceptron_update(w, b, std::span(x).subspan(p * n, n), y[p], s.lr);
  }
}

cap::CapacitySettings n20(std::size_t max_patterns, std::size_t step) {
  cap::CapacitySettings s{20, {}, 50, 100, 0.01f, 5};
  for (std::size_t p = step; p <= max_patterns; p += step) s.patterns.push_back(p);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_trial_is_the_notebooks_loop) {
  cap::CapacitySettings s = n20(0, 1);
  s.trials = 10, s.max_epochs = 30;
  std::size_t learned = 0, total = 0;
  for (const std::size_t p : {1, 2, 5, 20, 30, 38, 41, 45, 60})
    for (std::size_t t = 0; t < s.trials; ++t) {
      const bool ours = cap::capacity_trial(s, p, t);
      BOOST_TEST(ours == notebook_trial(s, p, t), "P " << p << " trial " << t);
      learned += ours, ++total;
    }
  BOOST_TEST(learned > 0u);  // both outcomes are exercised
  BOOST_TEST(learned < total);
}

BOOST_AUTO_TEST_CASE(the_half_point_for_20_inputs_is_near_two) {
  gibbs::set_thread_count(0);
  const cap::CapacitySettings s = n20(70, 2);
  const std::vector<cap::CapacityPoint> points = cap::capacity_sweep(s);
  BOOST_TEST_REQUIRE(points.size() == 35u);
  BOOST_TEST(points.front().fraction() == 1.0);  // 2 patterns: always learned
  BOOST_TEST(points.back().fraction() == 0.0);   // 70 patterns = 3.5 N: never
  const double half = cap::half_point(points, s.inputs);
  BOOST_TEST_MESSAGE("half point P/N = " << half);
  BOOST_TEST(half > 1.5);
  BOOST_TEST(half < 2.5);
}

BOOST_AUTO_TEST_CASE(the_sweep_is_the_same_for_any_thread_count) {
  const cap::CapacitySettings s = n20(60, 3);
  gibbs::set_thread_count(1);
  const std::vector<cap::CapacityPoint> one = cap::capacity_sweep(s);
  gibbs::set_thread_count(2);
  const std::vector<cap::CapacityPoint> two = cap::capacity_sweep(s);
  gibbs::set_thread_count(0);
  BOOST_TEST_REQUIRE(one.size() == two.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    BOOST_TEST(one[i].patterns == two[i].patterns);
    BOOST_TEST(one[i].learned == two[i].learned, "P " << one[i].patterns);
    std::size_t serial = 0;  // and both equal the trials run one by one
    for (std::size_t t = 0; t < s.trials; ++t) serial += cap::capacity_trial(s, one[i].patterns, t);
    BOOST_TEST(one[i].learned == serial);
  }
}

BOOST_AUTO_TEST_CASE(half_point_interpolates) {
  const std::vector<cap::CapacityPoint> points{{10, 10, 10}, {20, 8, 10}, {30, 2, 10}, {40, 0, 10}};
  BOOST_TEST(cap::half_point(points, 10) == 2.5);  // 0.8 at 2, 0.2 at 3: 1/2 halfway
  const std::vector<cap::CapacityPoint> never{{10, 10, 10}, {20, 6, 10}};
  BOOST_TEST(std::isnan(cap::half_point(never, 10)));
  cap::CapacitySettings bad = n20(4, 1);
  bad.patterns.push_back(0);
  BOOST_CHECK_THROW(cap::capacity_sweep(bad), gibbs::ArgumentError);
  const auto says = [](const char* message) {
    return [message](const gibbs::ArgumentError& e) { return std::string(e.what()) == message; };
  };
  cap::CapacitySettings wide = n20(4, 1);
  wide.inputs = 134217728;  // 16 trials side by side would pass 2³¹ floats with one pattern each
  BOOST_CHECK_EXCEPTION(cap::capacity_sweep(wide), gibbs::ArgumentError,
                        says("capacity: inputs must be 1 to 134217727"));
  cap::CapacitySettings many = n20(0, 1);
  many.inputs = 1000, many.patterns = {134218};
  BOOST_CHECK_EXCEPTION(cap::capacity_sweep(many), gibbs::ArgumentError,
                        says("capacity: a pattern count of 134218 (expected 1 to 134217)"));
}
