// End-to-end tests of the RBM plugin through the real binary: train (checkpoint schema, any
// thread count, SIGINT and resume equal to an uninterrupted run), eval, reconstruct, sample
// (AND completion with clamped units), and the errors a user meets.
#define BOOST_TEST_MODULE cli_rbm
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <string>
#include <variant>
#include <vector>

#include "tests/support/bars.h"
#include "tests/support/png_read.h"
#include "tests/support/run_gibbs.h"
#include "tests/support/same_run.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

const std::string kTrain = "train --model rbm --data bars.h5 --hidden 8 --monitor 0 ";

struct Bars {
  TempDir dir;
  Bars() { write_bars(dir.path / "bars.h5"); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(help_lists_the_rbm_options_with_defaults) {
  TempDir dir;
  const Result r = run_gibbs("train --model rbm --help", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  for (const char* option :
       {"--hidden N (=500)", "--hidden-units TEXT (=bernoulli)", "--k N (=1)", "--persistent", "--lr X (=0.01)",
        "--lr-schedule TEXT (=none)", "--momentum-schedule TEXT (=none)", "--init TEXT (=normal:0.01)",
        "--no-visible-bias", "--visible-bias-init TEXT (=zero)", "--batch-size N (=128)", "--epochs N (=10)"})
    BOOST_TEST(r.out.find(option) != std::string::npos, option);
}

BOOST_FIXTURE_TEST_CASE(train_writes_the_checkpoint, Bars) {
  const Result r = run_gibbs(kTrain + "--epochs 3 --batch-size 10 -o c.h5", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(line_count(r.out) == 4u, r.out);  // three epoch lines, "saved c.h5"
  const gibbs::io::Checkpoint c = gibbs::io::load_checkpoint(dir.path / "c.h5");
  BOOST_TEST(c.model == "rbm");
  BOOST_TEST((c.params.at("W").shape == std::vector<std::size_t>{16, 8}));
  BOOST_TEST((c.params.at("visible_bias").shape == std::vector<std::size_t>{16}));
  BOOST_TEST((c.params.at("hidden_bias").shape == std::vector<std::size_t>{8}));
  BOOST_TEST(std::get<std::int64_t>(c.config.at("hidden")) == 8);
  BOOST_TEST(std::get<double>(c.config.at("lr")) == 0.01);
  BOOST_TEST(std::get<std::string>(c.config.at("data")) == (dir.path / "bars.h5").string());
  BOOST_TEST(c.counters.at("train/epoch") == 3u);
  BOOST_TEST(c.counters.at("train/step") == 36u);  // 12 minibatches of 10 rows per epoch
  for (const char* metric :
       {"epoch", "seconds", "images_per_second", "reconstruction_mse", "reconstruction_cross_entropy",
        "pseudo_likelihood", "free_energy", "test_reconstruction_mse", "test_free_energy"})
    BOOST_TEST((c.history.contains(metric) && c.history.at(metric).size() == 3u), metric);
  BOOST_TEST(c.history.at("reconstruction_mse").back() < c.history.at("reconstruction_mse").front());
}

// Shapes past every parallel threshold the run meets, so that threads really split the work:
// 256 visible, 96 hidden, minibatches of 256 (and the 512 stacked rows of the weight update),
// - simd::gemm goes parallel above 64K multiply-adds (kSerialWork; here 6.3M), by rows when
//   B is read in place with K ≤ 1024 and M ≥ 24 rows a thread (hidden probabilities, the
//   weight update), else by column panels (visible means, op(B) = Wᵀ);
// - gibbs::random runs chunks of 16K positions in parallel (kChunk): the visible draws are 4
//   chunks, the hidden ones 2;
// - simd's elementwise functions go parallel from 64K elements (kSerialElements), 16K a task:
//   column_sums and sum_squared_difference over the 256×256 visible minibatch, and the scores'
//   256-row chunks.
BOOST_AUTO_TEST_CASE(any_thread_count_gives_the_same_checkpoint) {
  TempDir dir;
  write_crosses(dir.path / "crosses.h5");
  const std::string train =
      "train --model rbm --data crosses.h5 --hidden 96 --monitor 0 --epochs 2 --batch-size 256 "
      "--k 2 --momentum 0.5 --seed 7 ";
  BOOST_TEST(run_gibbs(train + "--threads 1 -o one.h5", dir.path).status == 0);
  for (const char* threads : {"2", "3", "4"}) {
    const std::string name = std::string("threads") + threads + ".h5";
    BOOST_TEST(run_gibbs(std::string("--threads ") + threads + " " + train + "-o " + name, dir.path).status == 0);
    check_same_run(dir.path / "one.h5", dir.path / name);
  }
}

BOOST_FIXTURE_TEST_CASE(interrupted_and_resumed_equals_uninterrupted, Bars) {
  // PCD with a momentum schedule, weight decay and a sparsity target: all of the state counts.
  const std::string options =
      "--batch-size 16 --k 3 --persistent --momentum-schedule 0.5:1,0.9 --weight-decay 0.001 "
      "--sparsity-target 0.2 --seed 3 ";
  BOOST_TEST(run_gibbs(kTrain + options + "--epochs 4 -o straight.h5", dir.path).status == 0);
  // 8 minibatches an epoch: step 11 is the third of epoch 2.
  const Result stopped =
      run_gibbs(kTrain + options + "--epochs 4 -o stopped.h5", dir.path, "GIBBS_TEST_INTERRUPT_AT_STEP=11");
  BOOST_TEST(stopped.status == 130, stopped.err);
  BOOST_TEST(stopped.out.find("interrupted in epoch 2, after minibatch 3 of 8: saved stopped.h5\n"
                              "resume with: gibbs train --resume stopped.h5\n") != std::string::npos,
             stopped.out);
  const Result resumed = run_gibbs("train --resume stopped.h5", dir.path);
  BOOST_TEST(resumed.status == 0, resumed.err);
  check_same_run(dir.path / "straight.h5", dir.path / "stopped.h5");

  // Stopping at an epoch boundary and asking for more epochs is the same run too.
  BOOST_TEST(run_gibbs(kTrain + options + "--epochs 2 -o short.h5", dir.path).status == 0);
  BOOST_TEST(run_gibbs("train --resume short.h5 --epochs 4", dir.path).status == 0);
  check_same_run(dir.path / "straight.h5", dir.path / "short.h5");
  const Result again = run_gibbs("train --resume short.h5 --epochs 4", dir.path);
  BOOST_TEST(again.status == 0);
  BOOST_TEST(again.out == "short.h5: already trained for 4 epochs; give --epochs N (the total) to train on\n");
}

BOOST_FIXTURE_TEST_CASE(a_learning_rate_schedule_equals_changing_the_rate_on_resume, Bars) {
  const std::string options = "--batch-size 16 --momentum 0.5 --seed 5 ";
  BOOST_TEST(run_gibbs(kTrain + options + "--lr-schedule 0.1:2,0.02 --epochs 3 -o scheduled.h5", dir.path).status == 0);
  BOOST_TEST(run_gibbs(kTrain + options + "--lr 0.1 --epochs 2 -o changed.h5", dir.path).status == 0);
  BOOST_TEST(run_gibbs("train --resume changed.h5 --lr 0.02 --epochs 3", dir.path).status == 0);
  const gibbs::io::Checkpoint a = gibbs::io::load_checkpoint(dir.path / "scheduled.h5"),
                              b = gibbs::io::load_checkpoint(dir.path / "changed.h5");
  for (const char* name : {"W", "visible_bias", "hidden_bias"})
    BOOST_TEST((a.params.at(name) == b.params.at(name)), name);
  // And the rate does change: a constant 0.1 ends elsewhere.
  BOOST_TEST(run_gibbs(kTrain + options + "--lr 0.1 --epochs 3 -o constant.h5", dir.path).status == 0);
  BOOST_TEST(!(gibbs::io::load_checkpoint(dir.path / "constant.h5").params.at("W") == a.params.at("W")));
}

BOOST_FIXTURE_TEST_CASE(eval_reconstruct_and_sample, Bars) {
  BOOST_REQUIRE(run_gibbs(kTrain + "--epochs 5 --batch-size 10 --lr 0.1 -o c.h5", dir.path).status == 0);
  const Result eval = run_gibbs("eval c.h5 --json", dir.path);
  BOOST_TEST(eval.status == 0, eval.err);
  for (const char* key : {R"("split": "test")", R"("rows": 40)", R"("reconstruction_mse": )",
                          R"("reconstruction_cross_entropy": )", R"("pseudo_likelihood": )", R"("free_energy": )"})
    BOOST_TEST(eval.out.find(key) != std::string::npos, key);

  const Result recon = run_gibbs("reconstruct c.h5 --per-class 3 -o r.png", dir.path);
  BOOST_TEST(recon.status == 0, recon.err);
  // Two classes, each a row of originals and one of reconstructions; 4×4 tiles drawn 8× bigger.
  const Picture r = read_png(dir.path / "r.png");
  BOOST_TEST(r.width == 3 * 32 + 2u);
  BOOST_TEST(r.height == 4 * 32 + 3u);

  const Result sample =
      run_gibbs("sample c.h5 --init data --chains 5 --steps 20 --every 5 --clamp 0-3 --save s.h5 -o s.png", dir.path);
  BOOST_TEST(sample.status == 0, sample.err);
  const Picture s = read_png(dir.path / "s.png");
  BOOST_TEST(s.width == 5 * 32 + 4u);   // a column per chain
  BOOST_TEST(s.height == 5 * 32 + 4u);  // the start and four snapshots
  // The clamped units (the top row of each picture) kept their starting values: test rows 0–4.
  const gibbs::io::DatasetReader saved(dir.path / "s.h5"), bars(dir.path / "bars.h5");
  std::vector<std::size_t> rows(5);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const gibbs::io::Batch final_states = saved.read("train", rows), start = bars.read("test", rows);
  for (std::size_t c = 0; c < 5; ++c)
    for (std::size_t u = 0; u < 4; ++u) BOOST_TEST(final_states.x(c, u) == start.x(c, u));

  // Labels without class names (issue 14: a null dereference): a group per label.
  {
    gibbs::io::DatasetWriter unnamed(dir.path / "unnamed.h5", {"unnamed", {4, 4}, {}});
    gibbs::Matrix<float> x(6, 16);
    unnamed.add_split("train", x.view(), std::vector<std::int32_t>{0, 1, 2, 0, 1, 2});
    unnamed.commit();
  }
  const Result unnamed = run_gibbs("reconstruct c.h5 --data unnamed.h5 --split train --per-class 2 -o u.png", dir.path);
  BOOST_TEST(unnamed.status == 0, unnamed.err);
  BOOST_TEST(read_png(dir.path / "u.png").height == 3 * 2 * 32 + 5u);  // three classes, two rows each

  // A --save that cannot be written fails before the picture is replaced.
  const std::string picture = slurp(dir.path / "s.png");
  fs::create_directory(dir.path / "folder");
  const Result into_folder = run_gibbs("sample c.h5 --chains 3 --steps 5 --every 5 --save folder -o s.png", dir.path);
  BOOST_TEST(into_folder.status == 2);
  BOOST_TEST(line_count(into_folder.err) == 1u, into_folder.err);
  BOOST_TEST(slurp(dir.path / "s.png") == picture);

  // A unit past the model's is named before anything is expanded (issue 14: 0-2⁶⁴−1 never ended).
  check_error(run_gibbs("sample c.h5 --clamp 0-18446744073709551615 -o t.png", dir.path),
              "sample: --clamp '0-18446744073709551615' names unit 18446744073709551615, and there are 16 (0 to 15)",
              dir.path, "t.png");
  // A negative count is not read as 2⁶⁴ − 5, and a count no machine can hold is one line.
  check_error(run_gibbs("sample c.h5 --chains -5 -o t.png", dir.path), "--chains: '-5' is not a valid value", dir.path,
              "t.png");
  check_error(run_gibbs("sample c.h5 --chains 4611686018427387904 -o t.png", dir.path),
              "a matrix of 4611686018427387904 × 16 values (2.75e+11 GiB) is more memory than this machine gives",
              dir.path, "t.png");
}

// From noise a dataset gives only the shape of a sample: one that cannot be read is an error that
// names it (and no picture), unless --tile-shape gives the shape; a checkpoint that names no
// dataset gets square tiles.
BOOST_FIXTURE_TEST_CASE(sample_from_noise_reads_a_dataset_for_the_shape_only, Bars) {
  BOOST_REQUIRE(run_gibbs(kTrain + "--epochs 1 -o c.h5", dir.path).status == 0);
  const std::string sample = "sample --chains 2 --steps 2 --every 1 ";
  fs::rename(dir.path / "bars.h5", dir.path / "moved.h5");
  const Result lost = run_gibbs(sample + "c.h5 -o s.png", dir.path);
  BOOST_TEST(lost.status == 2);
  BOOST_TEST(line_count(lost.err) == 1u, lost.err);
  BOOST_TEST(lost.err.starts_with("gibbs: " + (dir.path / "bars.h5").string() + ": "), lost.err);
  BOOST_TEST(!fs::exists(dir.path / "s.png"));

  const Result given = run_gibbs(sample + "c.h5 --data moved.h5 -o s.png", dir.path);
  BOOST_TEST_REQUIRE(given.status == 0, given.err);
  const Picture square = read_png(dir.path / "s.png");  // 4×4 tiles drawn 8× bigger: 2 chains, 3 rows
  BOOST_TEST(square.width == 2 * 32 + 1u);
  BOOST_TEST(square.height == 3 * 32 + 2u);

  const Result shaped = run_gibbs(sample + "c.h5 --tile-shape 2x8 -o t.png", dir.path);
  BOOST_TEST_REQUIRE(shaped.status == 0, shaped.err);
  const Picture wide = read_png(dir.path / "t.png");  // 2×8 tiles drawn 4× bigger
  BOOST_TEST(wide.width == 2 * 32 + 1u);
  BOOST_TEST(wide.height == 3 * 8 + 2u);

  gibbs::io::Checkpoint unnamed = gibbs::io::load_checkpoint(dir.path / "c.h5");
  unnamed.config.erase("data");
  gibbs::io::save_checkpoint(unnamed, dir.path / "unnamed.h5");
  const Result none = run_gibbs(sample + "unnamed.h5 -o u.png", dir.path);
  BOOST_TEST_REQUIRE(none.status == 0, none.err);
  BOOST_TEST(read_png(dir.path / "u.png").height == 3 * 32 + 2u);
}

BOOST_AUTO_TEST_CASE(and_triples_are_completed) {
  // The PyTorch notebook's AND experiment: (x1, x2, x1 AND x2), the third bit generated with
  // the first two clamped.
  TempDir dir;
  BOOST_REQUIRE(
      run_gibbs("data synth logic --op and --inputs 2 --encoding 01 --joint --repeat 100 -o and.h5", dir.path).status ==
      0);
  const Result train = run_gibbs(
      "train --model rbm --data and.h5 --hidden 8 --k 1 --batch-size 4 --lr 0.1 --epochs 200 --seed 1 -o rbm.h5",
      dir.path);
  BOOST_REQUIRE_MESSAGE(train.status == 0, train.err);
  const Result sample = run_gibbs(
      "sample rbm.h5 --init and.h5 --clamp 0,1 --chains 400 --steps 50 --every 10 --seed 1 --save s.h5 -o s.png",
      dir.path);
  BOOST_REQUIRE_MESSAGE(sample.status == 0, sample.err);
  const gibbs::io::DatasetReader saved(dir.path / "s.h5");
  const gibbs::io::Batch b = saved.read_range("train", 0, 400);
  std::size_t right = 0;
  for (std::size_t c = 0; c < 400; ++c) right += b.x(c, 2) == b.x(c, 0) * b.x(c, 1);
  BOOST_TEST_MESSAGE("AND completed in " << right << " of 400 chains");
  BOOST_TEST(right > 380u);
}

BOOST_FIXTURE_TEST_CASE(errors_name_the_problem, Bars) {
  check_error(run_gibbs(kTrain + "--epochs 1", dir.path),
              "train: -o CKPT is required (usage: gibbs train --model NAME --data FILE -o CKPT [options])", dir.path,
              "c.h5");
  check_error(run_gibbs(kTrain + "--init bogus -o c.h5", dir.path),
              "--init: must be normal:SIGMA (SIGMA ≥ 0) or uniform-glorot4, got 'bogus'", dir.path, "c.h5");
  check_error(run_gibbs(kTrain + "--momentum-schedule 0.5:x -o c.h5", dir.path),
              "--momentum-schedule: must be VALUE:EPOCHS,...,VALUE (e.g. 0.5:5,0.9) with values in [0, 1), or none, "
              "got '0.5:x'",
              dir.path, "c.h5");
  check_error(run_gibbs(kTrain + "--lr-schedule 0.01:5,0 -o c.h5", dir.path),
              "--lr-schedule: must be VALUE:EPOCHS,...,VALUE (e.g. 0.01:80,0.001) with positive values, or none, "
              "got '0.01:5,0'",
              dir.path, "c.h5");
  check_error(run_gibbs(kTrain + "--visible gaussian --visible-bias-init logit-mean -o c.h5", dir.path),
              "--visible-bias-init: logit-mean needs --visible bernoulli, got 'logit-mean'", dir.path, "c.h5");
  // Every option is checked against its declaration before any data is read.
  check_error(run_gibbs("train --model rbm --data nowhere.h5 --lr -1 -o c.h5", dir.path),
              "--lr: must be positive, got -1", dir.path, "c.h5");
  check_error(run_gibbs(kTrain + "--batch-size 0 -o c.h5", dir.path), "--batch-size: must be at least 1, got 0",
              dir.path, "c.h5");
  // The checkpoint never replaces the dataset it trains on.
  const std::string dataset = slurp(dir.path / "bars.h5");
  const Result onto_data = run_gibbs(kTrain + "--epochs 1 -o ./bars.h5", dir.path);
  BOOST_TEST(onto_data.status == 2);
  BOOST_TEST(onto_data.err ==
             "gibbs: -o ./bars.h5: that is the dataset --data names; write the checkpoint elsewhere\n");
  BOOST_TEST(slurp(dir.path / "bars.h5") == dataset);
  // Sizes no machine has are one line, not a crash (issue 14: --hidden 2⁶², sample --chains 2⁶², --chains -5).
  check_error(run_gibbs("train --model rbm --data bars.h5 --hidden 4611686018427387904 -o c.h5", dir.path),
              "a matrix of 16 × 4611686018427387920 values (2.75e+11 GiB) is more memory than this machine gives",
              dir.path, "c.h5");
  const Result budget =
      run_gibbs("--memory-limit 1M train --model rbm --data bars.h5 --hidden 100000 -o c.h5", dir.path);
  BOOST_TEST(budget.status == 2);
  BOOST_TEST(budget.err.starts_with("gibbs: a matrix of 16 × 100016 values (0.00596 GiB) is more memory than gibbs may "
                                    "use: "),
             budget.err);
  BOOST_TEST(budget.err.ends_with(" of 0.000977 GiB in use (--memory-limit)\n"), budget.err);
  BOOST_TEST(!fs::exists(dir.path / "c.h5"));
  check_error(run_gibbs(kTrain + "--visible ising -o c.h5", dir.path),
              "--visible: must be one of: bernoulli, gaussian, got 'ising'", dir.path, "c.h5");
  check_error(run_gibbs(kTrain + "--momentum 1 -o c.h5", dir.path), "--momentum: must be in [0, 1), got 1", dir.path,
              "c.h5");
  const Result missing = run_gibbs("train --model nosuch --data bars.h5 -o c.h5", dir.path);
  BOOST_TEST(missing.status == 2);
  BOOST_TEST(missing.err.starts_with("gibbs: no plugin 'nosuch' (searched: "), missing.err);

  BOOST_REQUIRE(run_gibbs(kTrain + "--epochs 1 -o c.h5", dir.path).status == 0);
  const std::string before = slurp(dir.path / "c.h5");
  check_error(run_gibbs("train --resume c.h5 --model mlp -o d.h5", dir.path),
              "c.h5: a checkpoint of the rbm model, not of --model mlp", dir.path, "d.h5");
  check_error(run_gibbs("train --resume c.h5 --hidden 4 --epochs 2 -o d.h5", dir.path),
              "--hidden: shapes the model and cannot change on --resume (the checkpoint's: 8), got 4", dir.path,
              "d.h5");
  // Neither can the units' kind or the training method (issue 14: they changed the model silently).
  check_error(
      run_gibbs("train --resume c.h5 --visible gaussian --epochs 2 -o d.h5", dir.path),
      "--visible: shapes the model and cannot change on --resume (the checkpoint's: 'bernoulli'), got 'gaussian'",
      dir.path, "d.h5");
  check_error(run_gibbs("train --resume c.h5 --persistent --epochs 2 -o d.h5", dir.path),
              "--persistent: shapes the model and cannot change on --resume (the checkpoint's: false), got true",
              dir.path, "d.h5");
  BOOST_REQUIRE(run_gibbs("data synth logic --op and --inputs 2 -o logic.h5", dir.path).status == 0);
  check_error(run_gibbs("train --resume c.h5 --data logic.h5 --epochs 2 -o d.h5", dir.path),
              (dir.path / "logic.h5").string() + ": rows of 2 values, but the rbm model takes 16", dir.path, "d.h5");
  check_error(run_gibbs("eval c.h5 --data logic.h5", dir.path),
              "logic.h5: rows of 2 values, but the rbm model in the checkpoint takes 16", dir.path, "none");
  // A diverging run stops at the end of the epoch where it diverged, keeping the last finite model.
  check_error(run_gibbs("train --resume c.h5 --lr 1e308 --epochs 3", dir.path),
              "training diverged in epoch 2: reconstruction_mse is NaN; lower --lr (c.h5 is as it was)", dir.path,
              "none");
  check_error(run_gibbs("train --resume c.h5 --lr 1e308 --epochs 3 -o d.h5", dir.path),
              "training diverged in epoch 2: reconstruction_mse is NaN; lower --lr (nothing was written)", dir.path,
              "d.h5");
  BOOST_TEST(slurp(dir.path / "c.h5") == before);  // the checkpoint is untouched
  {  // A checkpoint's counters may say anything (issue 14: 2⁶⁴ − 1, or past the epoch).
    gibbs::io::Checkpoint odd = gibbs::io::load_checkpoint(dir.path / "c.h5");
    odd.counters["train/batch"] = 1000;
    gibbs::io::save_checkpoint(odd, dir.path / "odd.h5");
    check_error(run_gibbs("train --resume odd.h5 --epochs 3 -o d.h5", dir.path),
                "odd.h5: its epoch under way is past minibatch 1000, and an epoch here has 1", dir.path, "d.h5");
    odd.counters["train/batch"] = 0;
    odd.counters["train/epoch"] = UINT64_MAX;
    gibbs::io::save_checkpoint(odd, dir.path / "odd.h5");
    const Result done = run_gibbs("train --resume odd.h5 --epochs 3", dir.path);
    BOOST_TEST(done.status == 0);
    BOOST_TEST(done.out ==
               "odd.h5: already trained for 18446744073709551615 epochs; give --epochs N (the total) to train on\n");
  }
  // --batch-size past the split is the whole split, a full batch (issue 14: it was allocated).
  BOOST_TEST(run_gibbs(kTrain + "--epochs 1 --batch-size 4611686018427387904 -o full.h5", dir.path).status == 0);
  BOOST_TEST(gibbs::io::load_checkpoint(dir.path / "full.h5").counters.at("train/step") == 1u);
  check_error(run_gibbs("train --model rbm --data '' -o d.h5", dir.path), "--data: must name a dataset, got ''",
              dir.path, "d.h5");
  {  // An empty test split is refused before the first epoch, not after it.
    gibbs::io::DatasetWriter empty_test(dir.path / "empty-test.h5", {"empty", {4, 4}, {}});
    empty_test.add_split("train", gibbs::Matrix<float>(4, 16).view());
    empty_test.add_split("test", gibbs::Matrix<float>(0, 16).view());
    empty_test.commit();
  }
  check_error(run_gibbs("train --model rbm --data empty-test.h5 --hidden 2 -o d.h5", dir.path),
              (dir.path / "empty-test.h5").string() + ": the test split has no rows", dir.path, "d.h5");

  gibbs::io::Checkpoint foreign = gibbs::io::load_checkpoint(dir.path / "c.h5");
  foreign.model = "nosuch";
  gibbs::io::save_checkpoint(foreign, dir.path / "foreign.h5");
  const Result foreign_eval = run_gibbs("eval foreign.h5", dir.path);
  BOOST_TEST(foreign_eval.status == 2);
  BOOST_TEST(foreign_eval.err.starts_with("gibbs: no plugin 'nosuch' (searched: "), foreign_eval.err);
}

BOOST_AUTO_TEST_CASE(stability_and_correction_of_the_and_triple) {
  TempDir dir;
  // Seed 002's AND RBM: 3 visible and 3 hidden units, CD-4, lr 0.1, batches of 100, 15,000 updates.
  BOOST_TEST_REQUIRE(
      run_gibbs("data synth logic --op and --inputs 2 --joint --encoding 01 --repeat 2500 -o and.h5", dir.path)
          .status == 0);
  BOOST_TEST_REQUIRE(run_gibbs("train --model rbm --data and.h5 --hidden 3 --k 4 --lr 0.1 --batch-size 100 "
                               "--epochs 150 --monitor 0 -o and_rbm.h5",
                               dir.path)
                         .status == 0);
  const Result r = run_gibbs("stability and_rbm.h5 --steps 8 --json -o st.png", dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const auto series = [&](const std::string& key) {
    const std::size_t at = r.out.find("\"" + key + "\": [");
    BOOST_TEST_REQUIRE(at != std::string::npos, r.out);
    std::vector<double> values;
    std::size_t pos = at + key.size() + 5;
    while (r.out[pos] != ']') {
      std::size_t used = 0;
      values.push_back(std::stod(r.out.substr(pos), &used));
      pos += used;
      if (r.out[pos] == ',') pos += 2;
    }
    return values;
  };
  const std::vector<double> stability = series("stability"), correction = series("correction");
  BOOST_TEST_REQUIRE(stability.size() == 9u);
  BOOST_TEST_REQUIRE(correction.size() == 9u);
  // At the start: every chain on a truth-table row; with the output bit flipped, none.
  BOOST_TEST(stability[0] == 1.0);
  BOOST_TEST(correction[0] == 0.0);
  // The trained model keeps right triples and corrects wrong ones within a step or two.
  for (std::size_t step = 2; step < 9; ++step) {
    BOOST_TEST(stability[step] >= 0.95, step);
    BOOST_TEST(correction[step] >= 0.95, step);
  }
  BOOST_TEST(r.out.find(R"("chains": 100, "flip": [2])") != std::string::npos, r.out);
  BOOST_TEST(fs::file_size(dir.path / "st.png") > 1000u);

  const Result text = run_gibbs("stability and_rbm.h5 --steps 2 --flip 0,1", dir.path);
  BOOST_TEST(text.status == 0, text.err);
  BOOST_TEST(text.out.find("  step  stability  correction\n     0     1.0000") != std::string::npos, text.out);
  const Result wide = run_gibbs("stability and_rbm.h5 --flip 3", dir.path);
  BOOST_TEST(wide.status == 2);
  BOOST_TEST(wide.err == "gibbs: stability: --flip '3' names unit 3, and there are 3 (0 to 2)\n");
  BOOST_TEST_REQUIRE(run_gibbs("data synth logic --op and --inputs 2 --joint --repeat 2 -o pm.h5", dir.path).status ==
                     0);
  const Result pm = run_gibbs("stability and_rbm.h5 --data pm.h5", dir.path);
  BOOST_TEST(pm.status == 2);
  BOOST_TEST(
      pm.err.find("pm.h5: stability needs rows of 0 and 1, and row 0 of the train split holds -1") != std::string::npos,
      pm.err);
}
