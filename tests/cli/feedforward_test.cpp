// End-to-end tests of the feed-forward plugins (mlp, cnn, autoencoder) through the real binary:
// the course notebook's exercises on small data (XOR with 2 and 4 inputs, sin x + cos y + z,
// the four CNNs, an autoencoder whose codes feed an MLP), eval with a confusion matrix,
// predict and encode, any thread count and resume giving the same checkpoint, and the errors.
#define BOOST_TEST_MODULE cli_feedforward
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tests/support/png_read.h"
#include "tests/support/run_gibbs.h"
#include "tests/support/same_run.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;
import gibbs.random;
import gibbs.simd;

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

// 8×8 pictures of one horizontal (class 0) or vertical (class 1) bar, two pixels wide, with a
// little seeded noise: 160 train and 40 test rows.
void write_bars(const fs::path& path) {
  gibbs::io::DatasetWriter writer(path, {"bars", {8, 8}, {"horizontal", "vertical"}});
  gibbs::random::Stream stream{11, 0};
  for (const auto& [split, rows] : {std::pair{"train", 160}, std::pair{"test", 40}}) {
    gibbs::Matrix<float> x(static_cast<std::size_t>(rows), 64);
    std::vector<float> noise(x.size());
    gibbs::random::uniform(stream, split == std::string("train") ? 0 : 1u << 20, std::span<float>(noise));
    std::vector<std::int32_t> y;
    for (std::size_t r = 0; r < x.rows(); ++r) {
      const std::size_t kind = r % 2, at = (r / 2) % 7;
      for (std::size_t c = 0; c < 64; ++c) x(r, c) = 0.2f * noise[r * 64 + c];
      for (std::size_t w = at; w < at + 2; ++w)
        for (std::size_t k = 0; k < 8; ++k) x(r, kind == 0 ? w * 8 + k : k * 8 + w) = 1.0f;
      y.push_back(static_cast<std::int32_t>(kind));
    }
    writer.add_split(split, x.view(), y);
  }
  writer.commit();
}

double json_number(const std::string& json, const std::string& key) {
  const std::size_t at = json.find("\"" + key + "\": ");
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, key + " in " + json);
  return std::stod(json.substr(at + key.size() + 4));
}

const gibbs::io::Tensor& param(const gibbs::io::Checkpoint& c, const std::string& name) {
  BOOST_REQUIRE_MESSAGE(c.params.contains(name), name);
  return c.params.at(name);
}

using Shape = std::vector<std::size_t>;

struct Bars {
  TempDir dir;
  Bars() { write_bars(dir.path / "bars.h5"); }
};

const std::string kMlp = "train --model mlp --data bars.h5 --layers 64,16,2 --monitor 0 ";
const std::string kCnn = "train --model cnn --data bars.h5 --arch conv3x3:4,relu,maxpool2,flatten,dense:2 --monitor 0 ";
const std::string kAutoencoder = "train --model autoencoder --data bars.h5 --layers 64,16,4 --monitor 0 ";

}  // namespace

BOOST_AUTO_TEST_CASE(help_lists_the_options_with_defaults) {
  TempDir dir;
  const Result mlp = run_gibbs("train --model mlp --help", dir.path);
  BOOST_TEST(mlp.status == 0, mlp.err);
  for (const char* option : {"--layers TEXT (=784,128,200,400,10)", "--activation TEXT (=relu)",
                             "--output-activation TEXT (=identity)", "--task TEXT (=auto)", "--optimizer TEXT (=adam)",
                             "--lr X (=0.001)", "--momentum X (=0.9)", "--weight-decay X (=0)", "--batch-size N (=64)"})
    BOOST_TEST(mlp.out.find(option) != std::string::npos, option);
  const Result cnn = run_gibbs("train --model cnn --help", dir.path);
  BOOST_TEST(cnn.out.find("--arch TEXT (=conv3x3:32,relu,maxpool2,conv3x3:64,relu,maxpool2,flatten,dense:128,relu,"
                          "dense:10)") != std::string::npos,
             cnn.out);
  const Result autoencoder = run_gibbs("train --model autoencoder --help", dir.path);
  BOOST_TEST(autoencoder.out.find("--layers TEXT (=784,128,64,12,20)") != std::string::npos, autoencoder.out);
  BOOST_TEST(autoencoder.out.find("--output-activation TEXT (=sigmoid)") != std::string::npos, autoencoder.out);
}

BOOST_AUTO_TEST_CASE(xor_with_2_and_4_inputs_is_learned) {
  TempDir dir;
  for (const int inputs : {2, 4}) {
    const std::string data = "xor" + std::to_string(inputs) + ".h5", ckpt = "mlp" + std::to_string(inputs) + ".h5";
    BOOST_REQUIRE(
        run_gibbs("data synth logic --op xor --encoding 01 --inputs " + std::to_string(inputs) + " -o " + data,
                  dir.path)
            .status == 0);
    // The notebook's networks: tanh units throughout, the output scored by sign.
    const std::string layers = inputs == 2 ? "2,4,1" : "4,4,10,5,1";
    const Result trained = run_gibbs("train --model mlp --data " + data + " --layers " + layers +
                                         " --activation tanh --output-activation tanh --batch-size 16 --lr 0.02 "
                                         "--epochs 400 --seed 1 -o " +
                                         ckpt,
                                     dir.path);
    BOOST_REQUIRE_MESSAGE(trained.status == 0, trained.err);
    const Result eval = run_gibbs("eval " + ckpt + " --json", dir.path);
    BOOST_TEST(json_number(eval.out, "accuracy") == 1.0, eval.out);
    const std::size_t half = std::size_t{1} << (inputs - 1);
    BOOST_TEST(eval.out.find("\"confusion\": [[" + std::to_string(half) + ", 0], [0, " + std::to_string(half) + "]]") !=
                   std::string::npos,
               eval.out);
    const gibbs::io::Checkpoint c = gibbs::io::load_checkpoint(dir.path / ckpt);
    BOOST_TEST(std::get<std::string>(c.config.at("task")) == "classify");
    BOOST_TEST(c.history.at("mse").back() < 0.1);
  }
}

BOOST_AUTO_TEST_CASE(sin_cos_regression_with_train_and_test_curves) {
  TempDir dir;
  BOOST_REQUIRE(run_gibbs("data synth sincos --count 400 --seed 2 -o sincos.h5", dir.path).status == 0);
  const Result trained = run_gibbs(
      "train --model mlp --data sincos.h5 --layers 3,30,1 --activation tanh --batch-size 40 --lr 0.01 --epochs 150 "
      "--seed 1 -o sincos-mlp.h5",
      dir.path);
  BOOST_REQUIRE_MESSAGE(trained.status == 0, trained.err);
  const gibbs::io::Checkpoint c = gibbs::io::load_checkpoint(dir.path / "sincos-mlp.h5");
  BOOST_TEST(std::get<std::string>(c.config.at("task")) == "regress");
  BOOST_TEST(c.history.at("mse").size() == 150u);
  BOOST_TEST(c.history.at("test_mse").size() == 150u);
  BOOST_TEST(c.history.at("test_mse").back() < 0.05);  // the targets' variance is about 1.3
  BOOST_TEST(c.history.at("test_mse").back() < c.history.at("test_mse").front() / 10);

  const Result eval = run_gibbs("eval sincos-mlp.h5 --json", dir.path);
  BOOST_TEST(json_number(eval.out, "mse") == c.history.at("test_mse").back(), eval.out);  // --monitor covers all 80
  BOOST_TEST(eval.out.find("accuracy") == std::string::npos);

  const Result predicted = run_gibbs("predict sincos-mlp.h5 --scatter pred.png -o pred.csv", dir.path);
  BOOST_TEST(predicted.status == 0, predicted.err);
  const Picture scatter = read_png(dir.path / "pred.png");
  BOOST_TEST(scatter.width == 800u);
  BOOST_TEST(scatter.height == 800u);
  const std::string csv = slurp(dir.path / "pred.csv");
  BOOST_TEST(csv.starts_with("row,target,output_0\n0,"), csv.substr(0, 80));
  BOOST_TEST(line_count(csv) == 81u);
}

BOOST_FIXTURE_TEST_CASE(minibatch_of_one_and_of_the_whole_set_compared, Bars) {
  BOOST_REQUIRE(run_gibbs(kMlp + "--batch-size 1 --epochs 3 --optimizer sgd --lr 0.01 -o one.h5", dir.path).status ==
                0);
  BOOST_REQUIRE(run_gibbs(kMlp + "--batch-size 160 --epochs 3 --optimizer sgd --lr 0.01 -o all.h5", dir.path).status ==
                0);
  const gibbs::io::Checkpoint one = gibbs::io::load_checkpoint(dir.path / "one.h5"),
                              all = gibbs::io::load_checkpoint(dir.path / "all.h5");
  BOOST_TEST(one.counters.at("train/step") == 480u);
  BOOST_TEST(all.counters.at("train/step") == 3u);
  BOOST_TEST(one.counters.at("optimizer/step") == 480u);
  for (const char* metric : {"cross_entropy", "accuracy", "test_cross_entropy", "test_accuracy"})
    BOOST_TEST((one.history.contains(metric) && one.history.at(metric).size() == 3u), metric);
  // 480 small steps learn the bars; 3 steps of the same size do not.
  BOOST_TEST(one.history.at("test_accuracy").back() == 1.0);
  BOOST_TEST(all.history.at("test_cross_entropy").back() > one.history.at("test_cross_entropy").back());
  const Result curves = run_gibbs("inspect one.h5 all.h5 --curves cmp.png", dir.path);
  BOOST_TEST(curves.status == 0, curves.err);
  BOOST_TEST(fs::file_size(dir.path / "cmp.png") > 0u);
}

BOOST_AUTO_TEST_CASE(the_four_notebook_cnns_have_their_shapes) {
  TempDir dir;
  {
    gibbs::io::DatasetWriter writer(dir.path / "digits.h5",
                                    {"noise", {28, 28}, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}});
    gibbs::Matrix<float> x(40, 784);
    std::vector<float> values(x.size());
    gibbs::random::uniform(gibbs::random::Stream{5, 0}, 0, std::span<float>(values));
    std::copy(values.begin(), values.end(), x.data());
    std::vector<std::int32_t> y;
    for (std::int32_t r = 0; r < 40; ++r) y.push_back(r % 10);
    writer.add_split("train", x.view(), y);
    writer.commit();
  }
  const struct {
    const char* arch;
    std::vector<std::pair<const char*, Shape>> params;
  } cnns[] = {
      {"conv3x3:32,relu,maxpool2,conv3x3:64,relu,maxpool2,flatten,dense:128,relu,dense:10",
       {{"0.weight", {32, 1, 3, 3}}, {"3.weight", {64, 32, 3, 3}}, {"7.weight", {1600, 128}}, {"9.weight", {128, 10}}}},
      {"conv3x3:16,relu,maxpool2,flatten,dense:128,relu,dense:10",
       {{"0.weight", {16, 1, 3, 3}}, {"0.bias", {16}}, {"4.weight", {2704, 128}}, {"6.weight", {128, 10}}}},
      {"conv3x3:8,relu,maxpool2,flatten,dense:128,relu,dense:10",
       {{"0.weight", {8, 1, 3, 3}}, {"4.weight", {1352, 128}}}},
      {"conv3x3:1,relu,maxpool2,flatten,dense:10",
       {{"0.weight", {1, 1, 3, 3}}, {"4.weight", {169, 10}}, {"4.bias", {10}}}},
  };
  for (const auto& cnn : cnns) {
    const Result r = run_gibbs(
        std::string("train --model cnn --data digits.h5 --epochs 1 --batch-size 16 --arch ") + cnn.arch + " -o cnn.h5",
        dir.path);
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
    const gibbs::io::Checkpoint c = gibbs::io::load_checkpoint(dir.path / "cnn.h5");
    for (const auto& [name, shape] : cnn.params) BOOST_TEST((param(c, name).shape == shape), cnn.arch << " " << name);
    BOOST_TEST((c.state.at("optimizer/exp_avg/0.weight").shape == param(c, "0.weight").shape));
    BOOST_TEST(c.counters.at("network/input_height") == 28u);
  }
}

BOOST_FIXTURE_TEST_CASE(a_cnn_learns_the_bars, Bars) {
  const Result r = run_gibbs(kCnn + "--epochs 4 --batch-size 8 --lr 0.01 -o cnn.h5", dir.path);
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
  const Result eval = run_gibbs("eval cnn.h5 --json", dir.path);
  BOOST_TEST(json_number(eval.out, "accuracy") == 1.0, eval.out);
  BOOST_TEST(eval.out.find(R"("confusion": [[20, 0], [0, 20]])") != std::string::npos, eval.out);
  const Result text = run_gibbs("eval cnn.h5", dir.path);
  BOOST_TEST(text.out.find("confusion (rows: true class, columns: predicted class)\n"
                           "                 0     1\n"
                           "  horizontal    20     0  0\n"
                           "  vertical       0    20  1\n") != std::string::npos,
             text.out);
}

BOOST_FIXTURE_TEST_CASE(autoencoder_codes_feed_an_mlp, Bars) {
  const Result r = run_gibbs(kAutoencoder + "--epochs 30 --batch-size 16 --lr 0.01 -o ae.h5", dir.path);
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
  const gibbs::io::Checkpoint c = gibbs::io::load_checkpoint(dir.path / "ae.h5");
  BOOST_TEST((param(c, "encoder.0.weight").shape == Shape{64, 16}));
  BOOST_TEST((param(c, "encoder.2.weight").shape == Shape{16, 4}));
  BOOST_TEST(!c.params.contains("encoder.3.weight"));  // the code is linear
  BOOST_TEST((param(c, "decoder.0.weight").shape == Shape{4, 16}));
  BOOST_TEST((param(c, "decoder.2.weight").shape == Shape{16, 64}));
  BOOST_TEST(c.history.at("test_mse").back() < c.history.at("test_mse").front() / 2);

  const Result eval = run_gibbs("eval ae.h5 --json", dir.path);
  BOOST_TEST(json_number(eval.out, "mse") == c.history.at("test_mse").back(), eval.out);
  BOOST_TEST(eval.out.find("confusion") == std::string::npos);
  BOOST_TEST(run_gibbs("reconstruct ae.h5 --per-class 3 -o rec.png", dir.path).status == 0);
  BOOST_TEST(fs::file_size(dir.path / "rec.png") > 0u);

  const Result encoded = run_gibbs("encode ae.h5 -o codes.h5", dir.path);
  BOOST_REQUIRE_MESSAGE(encoded.status == 0, encoded.err);
  BOOST_TEST(encoded.out == "wrote codes.h5: train 160x4, test 40x4, 2 classes\n");
  const gibbs::io::DatasetReader codes(dir.path / "codes.h5"), bars(dir.path / "bars.h5");
  BOOST_TEST((codes.info().sample_shape == Shape{4}));
  BOOST_TEST((codes.labels("train") == bars.labels("train")));
  BOOST_TEST((codes.info().classes == bars.info().classes));
  const Result mlp =
      run_gibbs("train --model mlp --data codes.h5 --layers 4,8,2 --epochs 20 --lr 0.01 -o on-codes.h5", dir.path);
  BOOST_TEST(mlp.status == 0, mlp.err);
  const Result eval_codes = run_gibbs("eval on-codes.h5 --json", dir.path);
  BOOST_TEST(json_number(eval_codes.out, "accuracy") > 0.9, eval_codes.out);
}

BOOST_FIXTURE_TEST_CASE(any_thread_count_gives_the_same_checkpoint, Bars) {
  for (const std::string& train : {kCnn, kAutoencoder}) {
    const std::string options = "--epochs 2 --batch-size 24 --seed 4 ";
    BOOST_TEST(run_gibbs(train + options + "--threads 1 -o one.h5", dir.path).status == 0);
    BOOST_TEST(run_gibbs(train + options + "--threads 2 -o two.h5", dir.path).status == 0);
    check_same_run(dir.path / "one.h5", dir.path / "two.h5");
  }
}

BOOST_FIXTURE_TEST_CASE(interrupted_and_resumed_equals_uninterrupted, Bars) {
  // 160 rows in minibatches of 24: 7 an epoch, the last one short.
  for (const std::string& options : {std::string("--optimizer momentum --momentum 0.8 --weight-decay 0.01 --lr 0.05 "),
                                     std::string("--optimizer adam --weight-decay 0.001 ")}) {
    const std::string train = kMlp + options + "--batch-size 24 --seed 6 ";
    BOOST_REQUIRE(run_gibbs(train + "--epochs 3 -o straight.h5", dir.path).status == 0);
    const Result stopped = run_gibbs(train + "--epochs 3 -o stopped.h5", dir.path, "GIBBS_TEST_INTERRUPT_AT_STEP=10");
    BOOST_TEST(stopped.status == 130, stopped.err);
    BOOST_TEST(
        stopped.out.find("interrupted in epoch 2, after minibatch 3 of 7: saved stopped.h5\n") != std::string::npos,
        stopped.out);
    BOOST_TEST(run_gibbs("train --resume stopped.h5", dir.path).status == 0);
    check_same_run(dir.path / "straight.h5", dir.path / "stopped.h5");
  }
  BOOST_REQUIRE(run_gibbs(kAutoencoder + "--epochs 3 -o ae-straight.h5", dir.path).status == 0);
  BOOST_REQUIRE(run_gibbs(kAutoencoder + "--epochs 1 -o ae-short.h5", dir.path).status == 0);
  BOOST_REQUIRE(run_gibbs("train --resume ae-short.h5 --epochs 3", dir.path).status == 0);
  check_same_run(dir.path / "ae-straight.h5", dir.path / "ae-short.h5");
}

// A checkpoint names the SIMD target its values were computed on; a run resumed on another says so.
BOOST_FIXTURE_TEST_CASE(the_simd_target_is_recorded_and_a_resume_on_another_says_so, Bars) {
  const auto targets = gibbs::simd::available_targets();
  const std::string best = targets.front().name, other = targets.back().name;
  BOOST_REQUIRE(run_gibbs(kMlp + "--epochs 1 --seed 6 -o a.h5", dir.path).status == 0);
  BOOST_TEST(gibbs::io::load_checkpoint(dir.path / "a.h5").simd_target == best);
  if (targets.size() < 2) return;
  const Result resumed = run_gibbs("--simd " + other + " train --resume a.h5 --epochs 2 -o b.h5", dir.path);
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.err);
  const std::string line = "b.h5: computed so far on the " + best + " target, continued on " + other +
                           "; gibbs --simd " + best + " keeps the bits of a run that never stopped\n";
  BOOST_TEST(resumed.out.find(line) != std::string::npos, resumed.out);
  BOOST_TEST(gibbs::io::load_checkpoint(dir.path / "b.h5").simd_target == other);
}

BOOST_FIXTURE_TEST_CASE(errors_name_the_problem, Bars) {
  check_error(run_gibbs(kMlp + "--optimizer rmsprop -o c.h5", dir.path),
              "--optimizer: must be one of: sgd, momentum, adam, got 'rmsprop'", dir.path, "c.h5");
  check_error(run_gibbs("train --model mlp --data bars.h5 --layers 3,4,2 -o c.h5", dir.path),
              "--layers \"3,4,2\": token 1 \"3\" is not the input's size 64 (1x8x8)", dir.path, "c.h5");
  check_error(run_gibbs("train --model mlp --data bars.h5 --layers 64,8,3 -o c.h5", dir.path),
              "the network ends with 3 outputs, but the data has 2 classes", dir.path, "c.h5");
  check_error(run_gibbs(kMlp + "--output-activation softmax -o c.h5", dir.path),
              "--output-activation: must be one of: identity, tanh, sigmoid, sign, got 'softmax'", dir.path, "c.h5");
  check_error(run_gibbs("train --model cnn --data bars.h5 --arch conv3x3:4,flatten,dense:2,softmax -o c.h5", dir.path),
              "the network ends with softmax: end it with the class logits (dense:N); the cross-entropy applies the "
              "softmax",
              dir.path, "c.h5");
  check_error(run_gibbs("train --model cnn --data bars.h5 --arch conv3x3:4,relu,maxpul2 -o c.h5", dir.path),
              "--arch \"conv3x3:4,relu,maxpul2\": token 3 \"maxpul2\" is not a layer (expected "
              "convKxK:FILTERS[:sSTRIDE][:pPAD], maxpoolK[:sSTRIDE], dense:UNITS, flatten, relu, tanh, sigmoid, sign, "
              "identity or softmax)",
              dir.path, "c.h5");
  check_error(run_gibbs(kMlp + "--task regress -o c.h5", dir.path),
              "--task regress needs targets, and the data has none", dir.path, "c.h5");

  BOOST_REQUIRE(run_gibbs(kMlp + "--epochs 1 -o c.h5", dir.path).status == 0);
  const std::string before = slurp(dir.path / "c.h5");
  check_error(run_gibbs("encode c.h5 -o codes.h5", dir.path), "the mlp model cannot encode", dir.path, "codes.h5");
  check_error(run_gibbs("predict c.h5 --scatter p.png", dir.path),
              "predict: --scatter needs regression targets, and the test split of " + (dir.path / "bars.h5").string() +
                  " has none",
              dir.path, "p.png");
  check_error(
      run_gibbs("predict c.h5", dir.path),
      "predict: -o OUT.csv or --scatter PNG is required (usage: gibbs predict CKPT [--data FILE] [--split NAME] "
      "[-o OUT.csv] [--scatter PNG])",
      dir.path, "none");
  check_error(
      run_gibbs("train --resume c.h5 --optimizer sgd --epochs 2 -o d.h5", dir.path),
      "c.h5: not a usable mlp checkpoint: the checkpoint's optimizer state does not fit --optimizer sgd: sgd state: "
      "tensor exp_avg/0.bias is not one of its own",
      dir.path, "d.h5");
  BOOST_TEST(slurp(dir.path / "c.h5") == before);
}
