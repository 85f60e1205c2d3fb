// End-to-end tests of the perceptron plugin through the real binary: AND and OR with 2 and 4
// inputs learned exactly and stopped at zero error, resume equal to an uninterrupted run, the
// plugin's `gibbs capacity` command, `inspect --boundary`, and the errors a user meets.
#define BOOST_TEST_MODULE cli_perceptron
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/png_read.h"
#include "tests/support/run_gibbs.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

void check_error(const Result& r, const std::string& line) {
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.err == "gibbs: " + line + "\n");
}

}  // namespace

BOOST_AUTO_TEST_CASE(and_and_or_with_2_and_4_inputs_are_learned_and_stop_at_zero_error) {
  TempDir dir;
  for (const char* op : {"and", "or"})
    for (const int inputs : {2, 4}) {
      const std::string data = std::string(op) + std::to_string(inputs);
      BOOST_REQUIRE(run_gibbs(std::string("data synth logic --op ") + op + " --inputs " + std::to_string(inputs) +
                                  " -o " + data + ".h5",
                              dir.path)
                        .status == 0);
      const Result train = run_gibbs(
          "train --model perceptron --data " + data + ".h5 --epochs 100 --seed 1 -o " + data + "-p.h5", dir.path);
      BOOST_TEST_REQUIRE(train.status == 0, train.err);
      BOOST_TEST(
          train.out.find("finished: the model's stopping condition holds on the training split") != std::string::npos,
          train.out);
      const gibbs::io::Checkpoint c = gibbs::io::load_checkpoint(dir.path / (data + "-p.h5"));
      const std::size_t epochs = c.counters.at("train/epoch");
      BOOST_TEST(epochs < 100u, data);  // stopped early
      BOOST_TEST(c.history.at("error").size() == epochs);
      BOOST_TEST(c.history.at("error").back() == 0.0);
      BOOST_TEST(c.history.at("accuracy").back() == 1.0);
      if (epochs > 1) BOOST_TEST(c.history.at("error")[epochs - 2] > 0.0);  // it stopped at the first zero
      BOOST_TEST((c.params.at("0.weight").shape == std::vector<std::size_t>{static_cast<std::size_t>(inputs), 1}));
      BOOST_TEST((c.params.at("0.bias").shape == std::vector<std::size_t>{1}));
      const Result eval = run_gibbs("eval " + data + "-p.h5 --json", dir.path);
      BOOST_TEST(eval.status == 0, eval.err);
      BOOST_TEST(eval.out.find(R"("accuracy": 1.0, "confusion": [[)") != std::string::npos, eval.out);
      BOOST_TEST(eval.out.find(R"("error": 0.0,)") != std::string::npos, eval.out);
      // A finished run has nothing left to do.
      const Result again = run_gibbs("train --resume " + data + "-p.h5 --epochs 200", dir.path);
      BOOST_TEST(again.status == 0);
      BOOST_TEST(again.out.find("finished after epoch " + std::to_string(epochs)) != std::string::npos, again.out);
    }
}

BOOST_AUTO_TEST_CASE(interrupted_and_resumed_equals_uninterrupted) {
  TempDir dir;
  BOOST_REQUIRE(run_gibbs("data synth logic --op or --inputs 4 --repeat 3 -o or.h5", dir.path).status == 0);
  // Random starting weights, minibatches of 5: a run of several epochs (48 rows, 10 minibatches).
  const std::string train =
      "train --model perceptron --data or.h5 --init normal:1 --batch-size 5 --lr 0.05 --seed 4 --epochs 50 ";
  const Result straight = run_gibbs(train + "-o straight.h5", dir.path);
  BOOST_TEST_REQUIRE(straight.status == 0, straight.err);
  const gibbs::io::Checkpoint a = gibbs::io::load_checkpoint(dir.path / "straight.h5");
  BOOST_TEST_REQUIRE(a.counters.at("train/epoch") >= 2u, "the run should last more than an epoch");
  const Result stopped = run_gibbs(train + "-o stopped.h5", dir.path, "GIBBS_TEST_INTERRUPT_AT_STEP=13");
  BOOST_TEST(stopped.status == 130, stopped.err);
  BOOST_TEST(stopped.out.find("interrupted in epoch 2, after minibatch 3 of 10: saved stopped.h5") != std::string::npos,
             stopped.out);
  const Result resumed = run_gibbs("train --resume stopped.h5", dir.path);
  BOOST_TEST(resumed.status == 0, resumed.err);
  const gibbs::io::Checkpoint b = gibbs::io::load_checkpoint(dir.path / "stopped.h5");
  BOOST_TEST((a.params == b.params));
  BOOST_TEST((a.counters == b.counters));
  BOOST_TEST((a.history.at("error") == b.history.at("error")));
  BOOST_TEST((a.config == b.config));
  // And for any thread count.
  BOOST_TEST(run_gibbs("--threads 1 " + train + "-o one.h5", dir.path).status == 0);
  BOOST_TEST((gibbs::io::load_checkpoint(dir.path / "one.h5").params == a.params));
}

BOOST_AUTO_TEST_CASE(capacity_prints_the_curve_and_its_half_point) {
  TempDir dir;
  const Result r = run_gibbs("capacity --inputs 10 --max-patterns 40 --step 4 --trials 20 --plot c.png", dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.out.starts_with("       P      P/N    learned\n"), r.out);
  BOOST_TEST(r.out.find("       4    0.400      1.000\n") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("half point: P/N = ") != std::string::npos, r.out);
  const Picture p = read_png(dir.path / "c.png");
  BOOST_TEST(p.width == 800u);
  BOOST_TEST(p.height == 600u);
  const Result json =
      run_gibbs("capacity --inputs 10 --max-patterns 40 --step 4 --trials 20 --json --threads 1", dir.path);
  BOOST_TEST(json.status == 0, json.err);
  BOOST_TEST(line_count(json.out) == 1u);
  BOOST_TEST(json.out.find(R"("inputs": 10, "trials": 20, "max_epochs": 100, "seed": 0,)") != std::string::npos,
             json.out);
  // The listing of commands names it.
  const Result help = run_gibbs("--help", dir.path);
  BOOST_TEST(help.out.find("plugin commands:\n  capacity  ") != std::string::npos, help.out);
  const Result plugins = run_gibbs("plugins", dir.path);
  BOOST_TEST(plugins.out.find("gibbs capacity  ") != std::string::npos, plugins.out);
}

BOOST_AUTO_TEST_CASE(capacity_errors_are_one_line_and_exit_2) {
  TempDir dir;
  check_error(run_gibbs("capacity --inputs 10 --trials 5", dir.path),
              "capacity: --max-patterns is required (usage: gibbs capacity --inputs N --max-patterns P --trials T "
              "[--step S] [--max-epochs E] [--seed S] [--lr X] [--threads T] [--plot capacity.png] [--json])");
  check_error(run_gibbs("capacity --inputs 0 --max-patterns 10 --trials 5", dir.path),
              "capacity: --inputs must be at least 1 (got 0)");
  check_error(run_gibbs("capacity --inputs 10 --max-patterns 10 --trials 5 --lr -1", dir.path),
              "capacity: --lr must be positive (got -1)");
  check_error(run_gibbs("capacity --inputs ten --max-patterns 10 --trials 5", dir.path),
              "--inputs: 'ten' is not a valid value");
  check_error(run_gibbs("capacity --inputs 10 --max-patterns 3 --step 5 --trials 5", dir.path),
              "capacity: --step 5 is larger than --max-patterns 3");
  BOOST_TEST(!fs::exists(dir.path / "c.png"));
  check_error(run_gibbs("nosuchcommand", dir.path), "unknown command 'nosuchcommand' (see 'gibbs --help')");
}

BOOST_AUTO_TEST_CASE(boundary_draws_two_input_models_only) {
  TempDir dir;
  BOOST_REQUIRE(run_gibbs("data synth logic --op and --inputs 2 -o and.h5", dir.path).status == 0);
  BOOST_REQUIRE(run_gibbs("train --model perceptron --data and.h5 --epochs 100 -o p.h5", dir.path).status == 0);
  const Result r = run_gibbs("inspect p.h5 --boundary b.png", dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.out == "b.png: 4 training inputs and the decision boundary of p.h5\n");
  const Picture p = read_png(dir.path / "b.png", PNG_FORMAT_RGB);
  BOOST_TEST(p.width == 800u);
  BOOST_TEST(p.height == 800u);
  // The boundary's colour (red, 214 39 40) is in the picture.
  std::size_t red = 0;
  for (std::size_t i = 0; i + 2 < p.pixels.size(); i += 3)
    red += p.pixels[i] > 180 && p.pixels[i + 1] < 80 && p.pixels[i + 2] < 80;
  BOOST_TEST(red > 100u);

  // A 784-input model: one line naming it.
  gibbs::io::Checkpoint wide = gibbs::io::load_checkpoint(dir.path / "p.h5");
  wide.params["0.weight"] = {{784, 1}, std::vector<float>(784, 0.0f)};
  gibbs::io::save_checkpoint(wide, dir.path / "wide.h5");
  check_error(run_gibbs("inspect wide.h5 --boundary w.png", dir.path),
              "inspect: --boundary draws models with 2 inputs; the perceptron model in wide.h5 takes 784");
  BOOST_TEST(!fs::exists(dir.path / "w.png"));
}

BOOST_AUTO_TEST_CASE(bad_data_is_one_line) {
  TempDir dir;
  BOOST_REQUIRE(run_gibbs("data synth sincos --count 20 -o s.h5", dir.path).status == 0);
  check_error(run_gibbs("train --model perceptron --data s.h5 -o p.h5", dir.path),
              "the perceptron needs a dataset with two classes (this one has 0)");
  BOOST_TEST(!fs::exists(dir.path / "p.h5"));
  BOOST_REQUIRE(run_gibbs("data synth logic --op and --inputs 2 -o and.h5", dir.path).status == 0);
  check_error(run_gibbs("train --model perceptron --data and.h5 --init normal:x -o p.h5", dir.path),
              "--init: must be zero or normal:SIGMA (SIGMA ≥ 0), got 'normal:x'");
}
