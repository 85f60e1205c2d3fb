// Tests of gibbs.train's epoch runner and rules: each epoch visits every row once in a shuffle of
// its own, a resumed epoch trains exactly the minibatches left, a stop after a minibatch holds,
// and the tolerance and save-clock rules.
#define BOOST_TEST_MODULE train
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <numeric>
#include <vector>
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.train;

namespace {

// Remembers the rows (their first value is the row's index) of every minibatch.
class Recorder final : public gibbs::Model {
 public:
  std::string name() const override { return "recorder"; }
  void begin_epoch(std::uint64_t epoch) override { epochs.push_back(epoch); }
  double train_batch(const gibbs::Examples& batch, std::uint64_t step) override {
    steps.push_back(step);
    std::vector<int> rows;
    for (std::size_t r = 0; r < batch.x.rows(); ++r) rows.push_back(static_cast<int>(batch.x(r, 0)));
    batches.push_back(rows);
    return batch.x.rows() == 3 ? NAN : 1.0 * static_cast<double>(batch.x.rows());
  }
  std::vector<std::uint64_t> epochs, steps;
  std::vector<std::vector<int>> batches;
};

gibbs::io::Batch numbered(std::size_t rows) {
  gibbs::io::Batch b{gibbs::Matrix<float>(rows, 2), {}, {}};
  for (std::size_t r = 0; r < rows; ++r) b.x(r, 0) = static_cast<float>(r), b.x(r, 1) = 0;
  return b;
}

std::vector<int> flat(const std::vector<std::vector<int>>& batches, std::size_t from, std::size_t to) {
  std::vector<int> all;
  for (std::size_t i = from; i < to; ++i) all.insert(all.end(), batches[i].begin(), batches[i].end());
  return all;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_epoch_visits_every_row_once_in_its_own_order) {
  const gibbs::io::Batch data = numbered(23);
  Recorder model;
  gibbs::train::EpochRunner runner(model, data, 5, 42);
  BOOST_TEST(runner.batches() == 5u);
  std::uint64_t step = 0;
  const gibbs::train::BatchDone first = runner.run(0, 0, step);
  const gibbs::train::BatchDone second = runner.run(1, 0, step);
  BOOST_TEST(step == 10u);
  BOOST_TEST(first.batch == 5u);
  BOOST_TEST(first.rows == 23u);
  BOOST_TEST((model.epochs == std::vector<std::uint64_t>{0, 1}));
  BOOST_TEST(model.batches[4].size() == 3u);  // the short last minibatch
  std::vector<int> one = flat(model.batches, 0, 5), two = flat(model.batches, 5, 10);
  BOOST_TEST(one != two);  // a shuffle per epoch
  std::vector<int> expected(23);
  std::iota(expected.begin(), expected.end(), 0);
  std::sort(one.begin(), one.end());
  std::sort(two.begin(), two.end());
  BOOST_TEST(one == expected, boost::test_tools::per_element());
  BOOST_TEST(two == expected, boost::test_tools::per_element());
  BOOST_TEST(first.mean_error() == 5.0);  // the NaN of the 3-row batch is left out
  (void)second;
}

BOOST_AUTO_TEST_CASE(a_resumed_epoch_trains_the_minibatches_left_in_the_same_order) {
  const gibbs::io::Batch data = numbered(23);
  Recorder straight, stopped, resumed;
  std::uint64_t step = 0;
  gibbs::train::EpochRunner(straight, data, 5, 7).run(3, 0, step);

  step = 0;
  const auto done =
      gibbs::train::EpochRunner(stopped, data, 5, 7).run(3, 0, step, [](const gibbs::train::BatchDone& d) {
        return d.batch == 2;
      });
  BOOST_TEST(done.batch == 2u);
  BOOST_TEST(step == 2u);
  gibbs::train::EpochRunner(resumed, data, 5, 7).run(3, done.batch, step);
  BOOST_TEST((resumed.steps == std::vector<std::uint64_t>{2, 3, 4}));
  std::vector<std::vector<int>> both = stopped.batches;
  both.insert(both.end(), resumed.batches.begin(), resumed.batches.end());
  BOOST_TEST((both == straight.batches));
}

// Keeps every minibatch it was given.
class Keeper final : public gibbs::Model {
 public:
  std::string name() const override { return "keeper"; }
  double train_batch(const gibbs::Examples& batch, std::uint64_t) override {
    batches.emplace_back(batch.x);
    return 0;
  }
  std::vector<gibbs::Matrix<float>> batches;
};

BOOST_AUTO_TEST_CASE(stochastic_binarization_draws_each_minibatch_afresh) {
  gibbs::io::Batch data{gibbs::Matrix<float>(40, 50, 0.25f), {}, {}};
  Keeper a, b;
  std::uint64_t step_a = 0, step_b = 0;
  gibbs::train::EpochRunner runner_a(a, data, 40, 5, true), runner_b(b, data, 40, 5, true);
  for (std::uint64_t epoch = 0; epoch < 2; ++epoch) runner_a.run(epoch, 0, step_a), runner_b.run(epoch, 0, step_b);
  double ones = 0;
  for (std::size_t e = 0; e < 2; ++e)
    for (std::size_t r = 0; r < 40; ++r)
      for (std::size_t c = 0; c < 50; ++c) {
        const float v = a.batches[e](r, c);
        BOOST_TEST_REQUIRE((v == 0.0f || v == 1.0f));
        BOOST_TEST(v == b.batches[e](r, c));  // the same seed, the same draws
        ones += v;
      }
  BOOST_TEST(std::abs(ones / 4000 - 0.25) < 0.03);  // Bernoulli(0.25)
  bool differ = false;
  for (std::size_t r = 0; r < 40; ++r)
    for (std::size_t c = 0; c < 50; ++c) differ = differ || a.batches[0](r, c) != a.batches[1](r, c);
  BOOST_TEST(differ);  // afresh every epoch
}

BOOST_AUTO_TEST_CASE(tolerance_compares_the_last_two_values) {
  using gibbs::train::within_tolerance;
  const std::vector<double> settled{1.0, 0.5, 0.4999}, moving{1.0, 0.5, 0.4};
  BOOST_TEST(within_tolerance(settled, 1e-3));
  BOOST_TEST(!within_tolerance(moving, 1e-3));
  BOOST_TEST(!within_tolerance(settled, 0.0));  // 0: never
  BOOST_TEST(!within_tolerance(std::vector<double>{0.5}, 1.0));
}

BOOST_AUTO_TEST_CASE(a_save_is_due_once_the_interval_has_passed) {
  gibbs::train::SaveClock never(std::chrono::hours(1)), always(std::chrono::seconds(0));
  BOOST_TEST(!never.due());
  BOOST_TEST(always.due());
  always.saved();
  BOOST_TEST(always.due());
}

// SIGINT and SIGTERM (mpirun's Ctrl-C, Slurm's time limit) ask the run to save and stop; the
// guard gone, the handlers are the ones before it.
BOOST_AUTO_TEST_CASE(sigint_and_sigterm_ask_for_a_stop_while_the_guard_lives) {
  for (const int signal : {SIGINT, SIGTERM}) {
    const auto before = std::signal(signal, SIG_IGN);
    {
      const gibbs::train::InterruptGuard guard;
      BOOST_TEST(!guard.interrupted());
      std::raise(signal);
      BOOST_TEST(guard.interrupted(), signal);
    }
    BOOST_TEST((std::signal(signal, before) == SIG_IGN), signal);
  }
}

BOOST_AUTO_TEST_CASE(the_driver_declares_its_options_once_with_the_models_batch_size) {
  const auto declared = gibbs::train::declared_options(128);
  std::vector<std::string> names;
  for (const auto& o : declared) names.push_back(o.name);
  BOOST_TEST(names == (std::vector<std::string>{"data", "epochs", "batch-size", "seed", "tol", "tol-on", "monitor",
                                                "binarize", "log-likelihood-every", "ais-runs", "ais-betas", "shards"}),
             boost::test_tools::per_element());
  BOOST_TEST(*declared[2].default_value == "128");
  BOOST_TEST(*gibbs::train::declared_options(0)[2].default_value == "64");
  const gibbs::Setup setup = gibbs::train::setup_of(gibbs::read_options<gibbs::train::Options>(
      {{"data", std::string("x")}, {"seed", std::int64_t{9}}, {"batch-size", std::int64_t{20}}}));
  BOOST_TEST(setup.seed == 9u);
  BOOST_TEST(setup.batch_size == 20u);
}
