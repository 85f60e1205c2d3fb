// gibbs::random::streams, the registry of stream families: no two families share an id, each
// family keeps the ids checkpoints and datasets were made with, and arguments past a family throw.
#define BOOST_TEST_MODULE random_streams
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
import gibbs.core;
import gibbs.random;

namespace rnd = gibbs::random;
namespace streams = gibbs::random::streams;
using streams::Family;

namespace {

constexpr std::uint64_t kBit63 = std::uint64_t{1} << 63;

std::uint64_t size(const Family& f) { return f.count * f.lanes; }  // no family here overflows it

bool same(rnd::Stream a, rnd::Stream b) { return a.seed == b.seed && a.id == b.id; }

struct Overlap {
  std::string problem;  // empty when the families share no id
  bool walked = false;  // whether their spans met, so that they were compared id by id
};

// Families whose spans meet are compared id by id through the smaller one, which must then be
// small enough to walk.
Overlap overlap(const Family& a, const Family& b) {
  if (a.last() < b.first || b.last() < a.first) return {};
  const Family& small = size(a) <= size(b) ? a : b;
  const Family& large = &small == &a ? b : a;
  if (size(small) > (std::uint64_t{1} << 20))
    return {std::string(a.name) + " and " + std::string(b.name) + " meet and are too large to compare", true};
  for (std::uint64_t i = 0; i < small.count; ++i)
    for (std::uint64_t lane = 0; lane < small.lanes; ++lane)
      if (large.contains(small.id(i, lane)))
        return {std::string(small.name) + " id " + std::to_string(small.id(i, lane)) + " is also one of " +
                    std::string(large.name),
                true};
  return {"", true};
}

}  // namespace

BOOST_AUTO_TEST_CASE(no_two_families_share_an_id) {
  std::size_t walked = 0;
  for (const Family& a : streams::kFamilies)
    for (const Family& b : streams::kFamilies)
      if (&a < &b) {
        const Overlap o = overlap(a, b);
        BOOST_TEST(o.problem.empty(), o.problem);
        walked += o.walked;
      }
  BOOST_TEST(walked >= 2u);  // capacity trials meet the row split and the layer inits
}

BOOST_AUTO_TEST_CASE(the_check_finds_a_shared_id) {
  // The benchmarks' old epoch shuffles {seed, 1000 + e}: epoch 1 was update 125's hidden draws.
  const Family old_bench_shuffle{"old bench shuffle", 1000, 1, 1, 100};
  BOOST_TEST(overlap(old_bench_shuffle, streams::kRbmDraws).problem ==
             "old bench shuffle id 1001 is also one of RBM draws");
  const Family huge{"huge", 0, 1, 1, std::uint64_t{1} << 40};
  BOOST_TEST(!overlap(huge, streams::kCapacityTrials).problem.empty());
}

BOOST_AUTO_TEST_CASE(each_family_holds_its_own_ids) {
  for (const Family& f : streams::kFamilies) {
    BOOST_TEST(f.lanes <= f.stride, std::string(f.name));
    BOOST_TEST(f.id(0) == f.first, std::string(f.name));
    BOOST_TEST(f.id(f.count - 1, f.lanes - 1) == f.last(), std::string(f.name));
    BOOST_TEST(f.contains(f.first));
    BOOST_TEST(f.contains(f.last()));
    if (f.first > 0) BOOST_TEST(!f.contains(f.first - 1), std::string(f.name));
    if (f.last() < UINT64_MAX) BOOST_TEST(!f.contains(f.last() + 1), std::string(f.name));
    if (f.lanes < f.stride) BOOST_TEST(!f.contains(f.first + f.lanes), std::string(f.name));
  }
}

// The numbers every checkpoint and dataset so far was drawn with.
BOOST_AUTO_TEST_CASE(the_ids_are_the_ones_the_engine_always_used) {
  const std::uint64_t seed = 0x1234'5678'9abc'def0;
  BOOST_TEST(same(streams::model_init(seed), {seed, 0}));
  for (const std::uint64_t step : {0ull, 1ull, 125ull, 99'999ull}) {
    BOOST_TEST(same(streams::rbm_draw(seed, streams::RbmDraw::hidden, step), {seed, step * 8 + 1}));
    BOOST_TEST(same(streams::rbm_draw(seed, streams::RbmDraw::visible, step), {seed, step * 8 + 2}));
    BOOST_TEST(same(streams::rbm_draw(seed, streams::RbmDraw::pseudo_likelihood, step), {seed, step * 8 + 5}));
  }
  BOOST_TEST(same(streams::synth_sincos(seed), {seed, 0x53494e43}));
  BOOST_TEST(same(streams::synth_patterns(seed), {seed, 0x50415454}));
  BOOST_TEST(same(streams::synth_labels(seed), {seed, 0x4c41424c}));
  BOOST_TEST(same(streams::row_split(seed), {seed, 0x5350'4c49'54}));
  BOOST_TEST(same(streams::capacity_trial(seed, 1, 0), {seed, std::uint64_t{1} << 32}));
  BOOST_TEST(same(streams::capacity_trial(seed, 38, 49), {seed, (std::uint64_t{38} << 32) | 49}));
  for (const std::uint64_t layer : {0ull, 1ull, 7ull}) {
    BOOST_TEST(same(streams::layer_init(seed, 0, layer), {seed, 0x494e'4954'0000 + layer}));
    BOOST_TEST(same(streams::layer_init(seed, 2, layer),
                    {seed ^ (std::uint64_t{0x5354'4147'4500'0000} * 2), 0x494e'4954'0000 + layer}));
  }
  BOOST_TEST(streams::stage_seed(seed, 0) == seed);
  BOOST_TEST(same(streams::chain_start(seed), {seed, std::uint64_t{1} << 62}));
  const std::uint64_t ais = (std::uint64_t{1} << 62) + (std::uint64_t{1} << 61);
  BOOST_TEST(same(streams::ais_draw(seed, 0, streams::AisDraw::start), {seed, ais}));
  BOOST_TEST(same(streams::ais_draw(seed, 7, streams::AisDraw::hidden), {seed, ais + 29}));
  BOOST_TEST(same(streams::ais_draw(seed, 7, streams::AisDraw::visible), {seed, ais + 30}));
  BOOST_TEST(same(streams::scored_rows(seed, streams::ScoredSplit::train), {seed, kBit63}));
  BOOST_TEST(same(streams::scored_rows(seed, streams::ScoredSplit::test), {seed, kBit63 + 1}));
  for (const std::uint64_t epoch : {0ull, 1ull, 41ull})
    BOOST_TEST(same(streams::shuffle(seed, epoch), {seed, kBit63 + 2 + epoch}));
}

BOOST_AUTO_TEST_CASE(arguments_past_a_family_are_argument_errors) {
  BOOST_CHECK_NO_THROW(streams::rbm_draw(1, streams::RbmDraw::pseudo_likelihood, streams::kRbmSteps - 1));
  BOOST_CHECK_THROW(streams::rbm_draw(1, streams::RbmDraw::hidden, streams::kRbmSteps), gibbs::ArgumentError);
  BOOST_CHECK_THROW(streams::capacity_trial(1, 0, 0), gibbs::ArgumentError);
  BOOST_CHECK_THROW(streams::capacity_trial(1, 3, std::uint64_t{1} << 30), gibbs::ArgumentError);
  BOOST_CHECK_THROW(streams::capacity_trial(1, std::uint64_t{1} << 30, 0), gibbs::ArgumentError);
  BOOST_CHECK_THROW(streams::layer_init(1, 0, std::uint64_t{1} << 16), gibbs::ArgumentError);
  BOOST_CHECK_NO_THROW(streams::ais_draw(1, streams::kAisSteps - 1, streams::AisDraw::visible));
  BOOST_CHECK_THROW(streams::ais_draw(1, streams::kAisSteps, streams::AisDraw::start), gibbs::ArgumentError);
  BOOST_CHECK_NO_THROW(streams::shuffle(1, kBit63 - 3));
  BOOST_CHECK_THROW(streams::shuffle(1, kBit63 - 2), gibbs::ArgumentError);
}
