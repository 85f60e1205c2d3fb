// End-to-end tests of data-parallel training (gibbs train --shards S) through the real binary:
// every model's shards add up to its whole-minibatch step (to rounding); under mpirun the ranks
// give the one-process checkpoint bit for bit; a run stopped by SIGINT or by a killed rank
// continues with another rank count to the same result; and the refusals are one line.
#define BOOST_TEST_MODULE cli_data_parallel
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/bars.h"
#include "tests/support/run_gibbs.h"
#include "tests/support/same_run.h"
#include "tests/support/temp_dir.h"
import gibbs.io;

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

// A last minibatch of one row (120 = 17·7 + 1), so that three of its four shards are empty, and
// PCD's 7 chains cut 1, 2, 2, 2. Some models score a sample of 50 rows (a rank then reads only the
// sample and its own rows), one on data drawn as 0/1, and the perceptron stops on its own, judged
// on the whole split.
const std::string kCommon = " --data bars.h5 --batch-size 7 --epochs 2 --seed 3 ";
struct Case {
  const char* name;
  std::string args;
};
const std::vector<Case> kModels = {
    {"rbm",
     "--model rbm --hidden 8 --lr 0.1 --momentum 0.5 --weight-decay 0.001 --sparsity-target 0.1 "
     "--binarize stochastic --monitor 50"},
    {"rbm-pcd", "--model rbm --hidden 8 --lr 0.05 --persistent --k 2 --monitor 0"},
    {"dbn", "--model dbn --layers 16,8,4 --lr 0.1 --monitor 0"},
    {"mlp", "--model mlp --layers 16,8,2 --optimizer adam --lr 0.01 --monitor 50"},
    {"cnn", "--model cnn --arch conv3x3:4,relu,maxpool2,flatten,dense:2 --optimizer momentum --lr 0.05 --monitor 0"},
    {"autoencoder", "--model autoencoder --layers 16,8,3 --optimizer sgd --lr 0.1 --monitor 0"},
    {"perceptron", "--model perceptron --lr 0.5 --monitor 50"},  // sums of halves of 0s and 1s: exact
};

struct Bars {
  TempDir dir;
  Bars() { write_bars(dir.path / "bars.h5"); }
};

// The largest |a − b| over every parameter.
double largest_difference(const fs::path& a_path, const fs::path& b_path) {
  const gibbs::io::Checkpoint a = gibbs::io::load_checkpoint(a_path), b = gibbs::io::load_checkpoint(b_path);
  double largest = 0;
  for (const auto& [name, t] : a.params) {
    BOOST_REQUIRE(b.params.contains(name));
    const auto& u = b.params.at(name);
    BOOST_REQUIRE(t.values.size() == u.values.size());
    for (std::size_t i = 0; i < t.values.size(); ++i)
      largest = std::max(largest, std::abs(static_cast<double>(t.values[i]) - u.values[i]));
  }
  return largest;
}

#ifdef GIBBS_MPIEXEC
std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}
#endif

}  // namespace

// The shards' gradients, added, are the whole minibatch's: each model trained with --shards 4
// ends within rounding of the same training with --shards 1 (the model's own train_batch).
BOOST_AUTO_TEST_CASE(shards_add_up_to_the_whole_minibatch) {
  Bars bars;
  for (const Case& c : kModels) {
    for (const char* shards : {"1", "4"}) {
      const Result r = run_gibbs(
          std::string("train ") + c.args + kCommon + "--shards " + shards + " -o " + c.name + "-" + shards + ".h5",
          bars.dir.path);
      BOOST_REQUIRE_MESSAGE(r.status == 0, c.name << ": " << r.err);
    }
    const double difference = largest_difference(bars.dir.path / (std::string(c.name) + "-1.h5"),
                                                 bars.dir.path / (std::string(c.name) + "-4.h5"));
    BOOST_TEST(difference < 1e-4, c.name << ": parameters differ by " << difference);
  }
}

// The feed-forward models compute shards at once on threads, each in its own replica of the network:
// the same bits as one at a time, and the log says how many ran at once.
BOOST_AUTO_TEST_CASE(shards_computed_at_once_give_the_bits_of_one_at_a_time) {
  Bars bars;
  const bool cores = std::thread::hardware_concurrency() >= 2;
  for (const std::size_t i : {3, 4, 5}) {  // mlp, cnn, autoencoder
    const Case& c = kModels[i];
    for (const std::string threads : {"1", "2"}) {
      const std::string out = std::string(c.name) + "-threads" + threads + ".h5";
      const Result r =
          run_gibbs("--threads " + threads + " train " + c.args + kCommon + "--shards 4 -o " + out, bars.dir.path);
      BOOST_REQUIRE_MESSAGE(r.status == 0, c.name << ": " << r.err);
      const std::string at_once = cores ? threads : "1";
      BOOST_TEST(r.out.find("4 shards a minibatch, up to " + at_once + " computed at once") != std::string::npos,
                 c.name << ": " << r.out);
    }
    check_same_run(bars.dir.path / (std::string(c.name) + "-threads1.h5"),
                   bars.dir.path / (std::string(c.name) + "-threads2.h5"));
  }
}

#ifdef GIBBS_MPIEXEC
// Under mpirun -np R, R dividing the shards, the checkpoint is the one-process run's, bit for bit:
// parameters, optimiser state, PCD chains, counters and history.
BOOST_AUTO_TEST_CASE(any_rank_count_dividing_the_shards_gives_the_same_checkpoint) {
  Bars bars;
  // Two ranks of one shard each exchange whole gradients; the others, slices (ShardedStep).
  const std::vector<std::pair<std::string, std::vector<int>>> layouts = {{"4", {2, 4}}, {"2", {2}}};
  for (const Case& c : kModels) {
    for (const auto& [shards, rank_counts] : layouts) {
      const std::string name = std::string(c.name) + "-" + shards;
      const Result one =
          run_gibbs("train " + c.args + kCommon + "--shards " + shards + " -o " + name + ".h5", bars.dir.path);
      BOOST_REQUIRE_MESSAGE(one.status == 0, name << ": " << one.err);
      for (const int ranks : rank_counts) {
        const std::string out = name + "-np" + std::to_string(ranks) + ".h5";
        const Result r =
            mpirun(ranks, "train " + c.args + kCommon + "--shards " + shards + " -o " + out, bars.dir.path);
        BOOST_REQUIRE_MESSAGE(r.status == 0, name << " -np " << ranks << ": " << r.err);
        // Rank 0 alone logs: its epoch lines, the exchange, the save.
        BOOST_TEST(occurrences(r.out, "saved " + out) == 1u, name << ": " << r.out);
        BOOST_TEST(occurrences(r.out, "data-parallel: " + std::to_string(ranks) + " ranks, " + shards +
                                          " shards, each rank holding the training split") == 1u,
                   r.out);
        check_same_run(bars.dir.path / (name + ".h5"), bars.dir.path / out);
      }
    }
  }
}

// A rank computes its own shards at once on its threads (the feed-forward models): two ranks of
// two threads and two shards each give the one-process checkpoint.
BOOST_AUTO_TEST_CASE(a_rank_computes_its_shards_at_once_on_its_threads) {
  Bars bars;
  const bool cores = std::thread::hardware_concurrency() >= 2;
  for (const std::size_t i : {3, 4}) {  // mlp, cnn
    const Case& c = kModels[i];
    const std::string name = c.name;
    const Result one =
        run_gibbs("--threads 1 train " + c.args + kCommon + "--shards 4 -o " + name + ".h5", bars.dir.path);
    BOOST_REQUIRE_MESSAGE(one.status == 0, name << ": " << one.err);
    const Result r = mpirun(2, "train " + c.args + kCommon + "--shards 4 -o " + name + "-np2.h5", bars.dir.path, 2);
    BOOST_REQUIRE_MESSAGE(r.status == 0, name << ": " << r.err);
    BOOST_TEST(
        r.out.find(std::string("computed up to ") + (cores ? "2" : "1") + " shards at once") != std::string::npos,
        r.out);
    check_same_run(bars.dir.path / (name + ".h5"), bars.dir.path / (name + "-np2.h5"));
  }
}

// A rank whose share of the memory budget is under four times the training split reads only its
// shards' rows, epoch by epoch (and the scored sample, and the whole split where every row is
// needed: the initialisation, the perceptron's stop): the same checkpoint. The bars take 7,680
// bytes as floats; 56K for the machine is 28K for each of 2 ranks.
BOOST_AUTO_TEST_CASE(ranks_short_of_memory_read_only_their_rows_to_the_same_checkpoint) {
  Bars bars;
  for (const std::size_t i : {0, 3, 6}) {  // rbm on drawn data, mlp, perceptron: each scoring 50 rows
    const Case& c = kModels[i];
    const std::string name = c.name;
    const Result one = run_gibbs("train " + c.args + kCommon + "--shards 4 -o " + name + ".h5", bars.dir.path);
    BOOST_REQUIRE_MESSAGE(one.status == 0, name << ": " << one.err);
    const Result r =
        mpirun(2, "--memory-limit 56K train " + c.args + kCommon + "--shards 4 -o " + name + "-own.h5", bars.dir.path);
    BOOST_REQUIRE_MESSAGE(r.status == 0, name << ": " << r.err);
    BOOST_TEST(occurrences(r.out, "each rank reading its own rows of it epoch by epoch") == 1u, r.out);
    check_same_run(bars.dir.path / (name + ".h5"), bars.dir.path / (name + "-own.h5"));
  }
}

// A run interrupted under 2 ranks resumes as one process; a run whose rank 1 dies leaves the last
// checkpoint intact, and 4 ranks continue it: both end as the uninterrupted run.
BOOST_AUTO_TEST_CASE(a_stopped_or_killed_run_resumes_with_another_rank_count) {
  Bars bars;
  const std::string train = "train " + kModels[1].args + " --data bars.h5 --batch-size 7 --seed 3 --shards 4 ";
  BOOST_REQUIRE(run_gibbs(train + "--epochs 4 -o whole.h5", bars.dir.path).status == 0);

  // SIGINT on every rank at step 25 (18 a epoch): saved mid-epoch 2.
  const Result stopped = run_command("GIBBS_TEST_INTERRUPT_AT_STEP=25 " + kMpirun + "-np 2 '" GIBBS_CLI "' " + train +
                                         "--epochs 4 --threads 1 -o stopped.h5",
                                     bars.dir.path);
  BOOST_TEST(stopped.status == 130, stopped.err);
  BOOST_TEST(occurrences(stopped.out, "interrupted in epoch 2, after minibatch 8 of 18") == 1u, stopped.out);
  const Result alone = run_gibbs("train --resume stopped.h5", bars.dir.path);
  BOOST_REQUIRE_MESSAGE(alone.status == 0, alone.err);
  check_same_run(bars.dir.path / "whole.h5", bars.dir.path / "stopped.h5");

  // Two epochs done; then rank 1 dies in epoch 3 (step 45), its partner with it.
  BOOST_REQUIRE(mpirun(2, train + "--epochs 2 -o killed.h5", bars.dir.path).status == 0);
  const std::string resume = " train --resume killed.h5 --epochs 4 --threads 1";
  const Result killed = run_command(
      kMpirun + "-np 1 '" GIBBS_CLI "'" + resume + " : -np 1 env GIBBS_TEST_KILL_AT_STEP=45 '" GIBBS_CLI "'" + resume,
      bars.dir.path);
  BOOST_TEST(killed.status != 0);
  const gibbs::io::Checkpoint intact = gibbs::io::load_checkpoint(bars.dir.path / "killed.h5");
  BOOST_TEST(intact.counters.at("train/epoch") == 2u);
  const Result four = mpirun(4, "train --resume killed.h5 --epochs 4", bars.dir.path);
  BOOST_REQUIRE_MESSAGE(four.status == 0, four.err);
  check_same_run(bars.dir.path / "whole.h5", bars.dir.path / "killed.h5");
}
#endif

// Refusals are one line, exit 2, before anything trains, from rank 0 alone under mpirun.
BOOST_AUTO_TEST_CASE(shard_counts_that_cannot_work_are_one_line) {
  Bars bars;
  check_error(run_gibbs("train --model rbm --data bars.h5 --batch-size 4 --shards 8 -o t.h5", bars.dir.path),
              "--shards: must be at most the batch size (4), got 8", bars.dir.path, "t.h5");
  check_error(run_gibbs("train --model rbm --data bars.h5 --shards 0 -o t.h5", bars.dir.path),
              "--shards: must be in [1, 65536], got 0", bars.dir.path, "t.h5");
#ifdef GIBBS_MPIEXEC
  for (const auto& [ranks, shards] : {std::pair{3, "4"}, std::pair{2, "1"}}) {
    const Result r =
        mpirun(ranks, std::string("train --model rbm --data bars.h5 --shards ") + shards + " -o t.h5", bars.dir.path);
    BOOST_TEST(r.status != 0);
    const std::string line = "gibbs: --shards: must be a multiple of the " + std::to_string(ranks) +
                             " MPI ranks, each computing the same number of shards (give --shards " +
                             std::to_string(ranks) + " or a multiple), got " + shards + "\n";
    BOOST_TEST(occurrences(r.err, "gibbs: ") == 1u, r.err);
    BOOST_TEST(r.err.find(line) != std::string::npos, r.err);
    BOOST_TEST(!fs::exists(bars.dir.path / "t.h5"));
  }
#endif
}
