// End-to-end tests of the DBN plugin through the real binary: stacking equals training each RBM
// by hand on the codes of the one below (bit for bit), any thread count and a resume mid-stack
// give the same checkpoint, the unrolled autoencoder computes the stack's up-down pass, sampling,
// and the errors a user meets.
#define BOOST_TEST_MODULE cli_dbn
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <string>
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

// Every per-layer setting the same as an rbm's, so that the hand-trained layers can match.
const std::string kLayer =
    "--k 1 --negative-phase mean --momentum-schedule 0.5:1,0.9 --weight-decay 0.0002 --init normal:0.1 "
    "--batch-size 10 --epochs 3 --seed 4 --monitor 0 ";
const std::string kDbn = "train --model dbn --data bars.h5 --layers 16,8,6,3 " + kLayer;

struct Bars {
  TempDir dir;
  Bars() { write_bars(dir.path / "bars.h5"); }
};

gibbs::io::Checkpoint load(const TempDir& dir, const char* name) { return gibbs::io::load_checkpoint(dir.path / name); }

// The rows of a split of a dataset.
gibbs::Matrix<float> rows_of(const fs::path& path, const std::string& split) {
  const gibbs::io::DatasetReader reader(path);
  return std::move(reader.read_range(split, 0, reader.split(split).rows).x);
}

}  // namespace

BOOST_AUTO_TEST_CASE(help_lists_the_dbn_options_with_hinton_and_salakhutdinovs_defaults) {
  TempDir dir;
  const Result r = run_gibbs("train --model dbn --help", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  for (const char* option : {"--layers TEXT (=784,1000,500,250,30)", "--hidden-units TEXT (=auto)", "--lr TEXT (=auto)",
                             "--momentum-schedule TEXT (=0.5:5,0.9)", "--weight-decay TEXT (=0.0002)",
                             "--init TEXT (=normal:0.1)", "--negative-phase TEXT (=mean)", "--batch-size N (=100)"})
    BOOST_TEST(r.out.find(option) != std::string::npos, option);
}

BOOST_FIXTURE_TEST_CASE(stacking_equals_training_each_rbm_by_hand_on_the_codes_below, Bars) {
  const Result stack = run_gibbs(kDbn + "-o dbn.h5", dir.path);
  BOOST_TEST_REQUIRE(stack.status == 0, stack.err);
  BOOST_TEST(stack.out.find("epoch 9/9") != std::string::npos, stack.out);  // 3 layers of 3 epochs
  BOOST_TEST(stack.out.find("stage 3/3") != std::string::npos, stack.out);

  // auto: Bernoulli hidden units at 0.1, the top layer's Gaussian at 0.001.
  const std::string rbm = "train --model rbm " + kLayer;
  BOOST_TEST_REQUIRE(run_gibbs(rbm + "--data bars.h5 --hidden 8 --lr 0.1 -o r1.h5", dir.path).status == 0);
  BOOST_TEST_REQUIRE(run_gibbs("encode r1.h5 -o codes1.h5", dir.path).status == 0);
  BOOST_TEST_REQUIRE(run_gibbs(rbm + "--data codes1.h5 --hidden 6 --lr 0.1 -o r2.h5", dir.path).status == 0);
  BOOST_TEST_REQUIRE(run_gibbs("encode r2.h5 -o codes2.h5", dir.path).status == 0);
  BOOST_TEST_REQUIRE(
      run_gibbs(rbm + "--data codes2.h5 --hidden 3 --hidden-units gaussian --lr 0.001 -o r3.h5", dir.path).status == 0);

  const gibbs::io::Checkpoint dbn = load(dir, "dbn.h5");
  BOOST_TEST(dbn.params.size() == 9u);
  for (const auto& [layer, file] : {std::pair{"layer1.", "r1.h5"}, {"layer2.", "r2.h5"}, {"layer3.", "r3.h5"}}) {
    const gibbs::io::Checkpoint hand = load(dir, file);
    for (const auto& [name, tensor] : hand.params) BOOST_TEST((dbn.params.at(layer + name) == tensor), layer + name);
    for (const auto& [name, tensor] : hand.state) BOOST_TEST((dbn.state.at(layer + name) == tensor), layer + name);
  }
  // The top layer's codes are the stack's.
  BOOST_TEST_REQUIRE(run_gibbs("encode dbn.h5 -o stack-codes.h5", dir.path).status == 0);
  BOOST_TEST_REQUIRE(run_gibbs("encode r3.h5 -o codes3.h5", dir.path).status == 0);
  const gibbs::Matrix<float> a = rows_of(dir.path / "stack-codes.h5", "test"),
                             b = rows_of(dir.path / "codes3.h5", "test");
  BOOST_TEST((a.view().shape() == gibbs::Shape{40, 3}));
  BOOST_TEST(std::equal(a.data(), a.data() + 40 * 3, b.data()));
}

BOOST_AUTO_TEST_CASE(any_thread_count_and_a_resume_mid_stack_give_the_same_checkpoint) {
  // 768 rows of 256 values in minibatches of 256, 96 hidden units: every parallel path of the
  // layers' GEMMs, draws and sums (see the rbm suite), above and below the first layer.
  TempDir dir;
  write_crosses(dir.path / "crosses.h5");
  const std::string train =
      "train --model dbn --data crosses.h5 --layers 256,96,32,2 --epochs 2 --batch-size 256 --k 2 --seed 7 "
      "--monitor 0 ";
  BOOST_TEST_REQUIRE(run_gibbs(train + "--threads 1 -o one.h5", dir.path).status == 0);
  for (const char* threads : {"2", "3"}) {
    const std::string name = std::string("threads") + threads + ".h5";
    BOOST_TEST(run_gibbs(std::string("--threads ") + threads + " " + train + "-o " + name, dir.path).status == 0);
    check_same_run(dir.path / "one.h5", dir.path / name);
  }
  // 3 minibatches an epoch, 6 a stage: after 8 the second layer is 2 minibatches in.
  const Result stopped = run_gibbs(train + "-o stopped.h5", dir.path, "GIBBS_TEST_INTERRUPT_AT_STEP=8");
  BOOST_TEST(stopped.status == 130, stopped.err);
  BOOST_TEST(stopped.out.find("interrupted in epoch 3, after minibatch 2 of 3") != std::string::npos, stopped.out);
  const Result resumed = run_gibbs("train --resume stopped.h5", dir.path);
  BOOST_TEST(resumed.status == 0, resumed.err);
  check_same_run(dir.path / "one.h5", dir.path / "stopped.h5");

  // The stages' length is fixed once trained.
  const std::string before = slurp(dir.path / "one.h5");
  check_error(run_gibbs("train --resume one.h5 --epochs 3", dir.path),
              "--epochs: is the epochs of each of the dbn model's 3 stages, which cannot change on resume (the "
              "checkpoint's: 2), got 3",
              dir.path, "nothing");
  check_error(run_gibbs("train --resume one.h5 --layers 256,96,32,3", dir.path),
              "--layers: shapes the model and cannot change on --resume (the checkpoint's: '256,96,32,2'), got "
              "'256,96,32,3'",
              dir.path, "nothing");
  gibbs::io::Checkpoint other = gibbs::io::load_checkpoint(dir.path / "one.h5");
  other.config["layers"] = std::string("256,96,32,3");
  gibbs::io::save_checkpoint(other, dir.path / "other.h5");
  check_error(run_gibbs("train --resume other.h5", dir.path),
              "other.h5: not a usable dbn checkpoint: --layers 256,96,32,3 does not match the checkpoint's stack "
              "256,96,32,2",
              dir.path, "nothing");
  BOOST_TEST(slurp(dir.path / "one.h5") == before);
}

BOOST_FIXTURE_TEST_CASE(bad_stacks_are_one_line_and_nothing_written, Bars) {
  const std::string train = "train --model dbn --data bars.h5 --epochs 1 ";
  check_error(run_gibbs(train + "--layers 10,5 -o x.h5", dir.path),
              "--layers: must start at the data's width, 16 values a row, got '10,5'", dir.path, "x.h5");
  check_error(run_gibbs(train + "--layers 16,0,4 -o x.h5", dir.path),
              "--layers: must be two or more unit counts of at least 1, separated by commas (e.g. 784,500,2), got "
              "'16,0,4'",
              dir.path, "x.h5");
  check_error(run_gibbs(train + "--layers 16 -o x.h5", dir.path),
              "--layers: must be two or more unit counts of at least 1, separated by commas (e.g. 784,500,2), got "
              "'16'",
              dir.path, "x.h5");
  check_error(run_gibbs(train + "--layers 16,8,4 --lr 0.1/0.1/0.1 -o x.h5", dir.path),
              "--lr: must be one value for every layer, or one for each of the 2 layers separated by /, got "
              "'0.1/0.1/0.1'",
              dir.path, "x.h5");
  check_error(run_gibbs(train + "--layers 16,8,4 --k 1/0 -o x.h5", dir.path),
              "--k: must be in [1, 100000], got 0 (layer 2)", dir.path, "x.h5");
  check_error(run_gibbs(train + "--layers 16,8,4 --tol 0.1 -o x.h5", dir.path),
              "--tol: the dbn model trains in 2 stages of --epochs each; give --tol 0, got 0.1", dir.path, "x.h5");
}

BOOST_FIXTURE_TEST_CASE(the_unrolled_autoencoder_computes_the_stacks_up_down_pass, Bars) {
  BOOST_TEST_REQUIRE(run_gibbs(kDbn + "-o dbn.h5", dir.path).status == 0);
  // One SGD step of 1e-30 changes no weight: the autoencoder as unrolled.
  const std::string base =
      "train --model autoencoder --data bars.h5 --loss cross-entropy --epochs 1 --optimizer sgd --lr 1e-30 "
      "--monitor 0 ";
  const std::string autoencoder = base + "--layers 16,8,6,3 --activation sigmoid ";
  const Result unrolled = run_gibbs(autoencoder + "--pretrained dbn.h5 -o ae.h5", dir.path);
  BOOST_TEST_REQUIRE(unrolled.status == 0, unrolled.err);
  const gibbs::io::Checkpoint dbn = load(dir, "dbn.h5"), ae = load(dir, "ae.h5");
  BOOST_TEST((ae.params.at("encoder.0.weight") == dbn.params.at("layer1.W")));
  BOOST_TEST((ae.params.at("encoder.0.bias") == dbn.params.at("layer1.hidden_bias")));
  BOOST_TEST((ae.params.at("decoder.4.bias") == dbn.params.at("layer1.visible_bias")));

  for (const char* name : {"dbn.h5", "ae.h5"})
    BOOST_TEST_REQUIRE(run_gibbs(std::string("encode ") + name + " -o codes-" + name, dir.path).status == 0);
  const gibbs::Matrix<float> a = rows_of(dir.path / "codes-dbn.h5", "test"),
                             b = rows_of(dir.path / "codes-ae.h5", "test");
  for (std::size_t r = 0; r < a.rows(); ++r)
    for (std::size_t c = 0; c < a.cols(); ++c) BOOST_TEST(std::abs(a(r, c) - b(r, c)) <= 1e-5f);

  // Up and down: the DBN's reconstruction error is the autoencoder's before fine-tuning.
  const Result up_down = run_gibbs("eval dbn.h5 --json", dir.path), decoder = run_gibbs("eval ae.h5 --json", dir.path);
  BOOST_TEST_REQUIRE(up_down.status == 0, up_down.err);
  BOOST_TEST_REQUIRE(decoder.status == 0, decoder.err);
  const auto value = [](const std::string& json, const std::string& key) {
    const std::size_t at = json.find("\"" + key + "\": ");
    BOOST_REQUIRE(at != std::string::npos);
    return std::stod(json.substr(at + key.size() + 4));
  };
  const double dbn_mse = value(up_down.out, "reconstruction_mse"), ae_mse = value(decoder.out, "mse");
  BOOST_TEST(dbn_mse > 0.01);
  BOOST_TEST(std::abs(dbn_mse - ae_mse) <= 1e-6 * dbn_mse, dbn_mse << " " << ae_mse);

  // A random start computes something else.
  BOOST_TEST_REQUIRE(run_gibbs(autoencoder + "-o random.h5", dir.path).status == 0);
  BOOST_TEST(!(load(dir, "random.h5").params.at("encoder.0.weight") == dbn.params.at("layer1.W")));

  // What cannot be unrolled.
  BOOST_TEST_REQUIRE(run_gibbs("train --model rbm --data bars.h5 --hidden 8 --epochs 1 -o rbm.h5", dir.path).status ==
                     0);
  check_error(run_gibbs(autoencoder + "--pretrained rbm.h5 -o x.h5", dir.path),
              "rbm.h5: --pretrained: a rbm checkpoint, and a dbn's is needed", dir.path, "x.h5");
  check_error(run_gibbs(base + "--pretrained dbn.h5 --layers 16,8,3 --activation sigmoid -o x.h5", dir.path),
              "dbn.h5: --pretrained: its stack is 16,8,6,3, and --layers is 16,8,3", dir.path, "x.h5");
  check_error(run_gibbs(base + "--pretrained dbn.h5 --layers 16,8,6,3 --activation relu -o x.h5", dir.path),
              "--activation: must be sigmoid with --pretrained, got relu", dir.path, "x.h5");
  check_error(run_gibbs(autoencoder + "--pretrained missing.h5 -o x.h5", dir.path), "missing.h5: no such file",
              dir.path, "x.h5");
}

BOOST_FIXTURE_TEST_CASE(sampling_runs_the_top_rbm_and_draws_the_data_layer, Bars) {
  BOOST_TEST_REQUIRE(run_gibbs(kDbn + "-o dbn.h5", dir.path).status == 0);
  const Result sample = run_gibbs("sample dbn.h5 --chains 4 --steps 20 --every 5 --save s.h5 -o s.png", dir.path);
  BOOST_TEST_REQUIRE(sample.status == 0, sample.err);
  const Picture s = read_png(dir.path / "s.png");
  BOOST_TEST(s.width == 4 * 32 + 3u);   // a column per chain, 4×4 tiles drawn 8× bigger
  BOOST_TEST(s.height == 5 * 32 + 4u);  // the start and four snapshots
  // The final states are means of the data's units, in [0, 1].
  const gibbs::Matrix<float> end = rows_of(dir.path / "s.h5", "train");
  BOOST_TEST((end.view().shape() == gibbs::Shape{4, 16}));
  for (std::size_t i = 0; i < 4 * 16; ++i) BOOST_TEST((end.data()[i] >= 0 && end.data()[i] <= 1));
  check_error(run_gibbs("sample dbn.h5 --chains 2 --clamp 0-3 -o t.png", dir.path),
              "the dbn model cannot clamp units: its chains run in the top RBM, above the data's units", dir.path,
              "t.png");
}
