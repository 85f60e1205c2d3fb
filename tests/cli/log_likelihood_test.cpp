// `gibbs eval --log-likelihood` through the real binary: exact and AIS log Z of a small trained
// RBM agree, the JSON keys, and the errors (a model without a partition function, --exact on a
// layer too wide) as one line and exit status 2.
#define BOOST_TEST_MODULE cli_log_likelihood
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/bars.h"
#include "tests/support/run_gibbs.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

struct Trained {
  TempDir dir;
  Trained() {
    write_bars(dir.path / "bars.h5");
    const Result r = run_gibbs(
        "train --model rbm --data bars.h5 --hidden 12 --monitor 0 --epochs 20 --batch-size 10 --lr 0.1 -o c.h5",
        dir.path);
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
  }
};

double number_after(const std::string& text, const std::string& key) {
  const std::size_t at = text.find("\"" + key + "\": ");
  BOOST_TEST_REQUIRE(at != std::string::npos, key + " in " + text);
  return std::stod(text.substr(at + key.size() + 4));
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(exact_and_ais_agree_in_json, Trained) {
  const Result exact = run_gibbs("eval c.h5 --log-likelihood --exact --json", dir.path);
  BOOST_TEST_REQUIRE(exact.status == 0, exact.err);
  BOOST_TEST(exact.out.find(R"("log_partition_method": "exact")") != std::string::npos, exact.out);
  const Result ais = run_gibbs("eval c.h5 --log-likelihood --ais-runs 100 --ais-betas 3000 --seed 4 --json", dir.path);
  BOOST_TEST_REQUIRE(ais.status == 0, ais.err);
  BOOST_TEST(ais.out.find(R"("log_partition_method": "ais")") != std::string::npos, ais.out);
  BOOST_TEST(ais.out.find(R"("ais_betas": 3000)") != std::string::npos, ais.out);
  const double z = number_after(exact.out, "log_partition"), z_ais = number_after(ais.out, "log_partition");
  BOOST_TEST(std::abs(z - z_ais) < 0.1, z << " vs AIS " << z_ais);
  BOOST_TEST(number_after(ais.out, "log_partition_lower") <= z_ais);
  BOOST_TEST(number_after(ais.out, "log_partition_upper") >= z_ais);
  BOOST_TEST(number_after(exact.out, "train_rows") == 120.0);
  BOOST_TEST(number_after(exact.out, "test_rows") == 40.0);
  const double test = number_after(exact.out, "test_log_likelihood");
  BOOST_TEST(test < 0.0);
  BOOST_TEST(test > -16 * std::log(2.0));  // better than uniform over 2¹⁶ pictures
  BOOST_TEST(number_after(exact.out, "test_log_likelihood_lower") == test);
  BOOST_TEST(number_after(ais.out, "test_log_likelihood_lower") <= number_after(ais.out, "test_log_likelihood"));

  const Result text = run_gibbs("eval c.h5 --log-likelihood --exact", dir.path);
  BOOST_TEST(text.status == 0, text.err);
  BOOST_TEST(text.out.find("(exact)") != std::string::npos, text.out);
  BOOST_TEST(text.out.find("mean log-likelihood, test split (40 rows)") != std::string::npos, text.out);
}

BOOST_AUTO_TEST_CASE(gaussian_hidden_units_train_and_have_a_log_likelihood) {
  TempDir dir;
  write_bars(dir.path / "bars.h5");
  const Result r = run_gibbs(
      "train --model rbm --data bars.h5 --hidden 6 --hidden-units gaussian --monitor 0 "
      "--epochs 10 --batch-size 10 --lr 0.01 -o g.h5",
      dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const Result exact = run_gibbs("eval g.h5 --log-likelihood --exact --json", dir.path);
  BOOST_TEST_REQUIRE(exact.status == 0, exact.err);
  const Result ais = run_gibbs("eval g.h5 --log-likelihood --ais-betas 3000 --json", dir.path);
  BOOST_TEST_REQUIRE(ais.status == 0, ais.err);
  const double z = number_after(exact.out, "log_partition"), z_ais = number_after(ais.out, "log_partition");
  BOOST_TEST(std::abs(z - z_ais) < 0.1, z << " vs AIS " << z_ais);
  const double test = number_after(exact.out, "test_log_likelihood");
  BOOST_TEST(test > -16 * std::log(2.0));  // better than uniform over 2¹⁶ pictures
  const Result both = run_gibbs(
      "train --model rbm --data bars.h5 --visible gaussian --hidden-units gaussian --epochs 1 -o gg.h5", dir.path);
  BOOST_TEST(both.status == 2);
  BOOST_TEST(both.err == "gibbs: --hidden-units: gaussian needs --visible bernoulli, got 'gaussian'\n");
  BOOST_TEST(!fs::exists(dir.path / "gg.h5"));
}

BOOST_AUTO_TEST_CASE(errors_are_one_line_and_exit_2) {
  TempDir dir;
  BOOST_TEST_REQUIRE(run_gibbs("data synth logic --op or --inputs 4 --repeat 3 -o or.h5", dir.path).status == 0);
  BOOST_TEST_REQUIRE(run_gibbs("train --model perceptron --data or.h5 --epochs 5 --seed 1 -o p.h5", dir.path).status ==
                     0);
  const Result p = run_gibbs("eval p.h5 --log-likelihood", dir.path);
  BOOST_TEST(p.status == 2);
  BOOST_TEST(line_count(p.err) == 1u, p.err);
  BOOST_TEST(p.err.find("the perceptron model cannot compute a partition function") != std::string::npos, p.err);

  // 30 visible units, 30 hidden: both layers wider than 25.
  gibbs::io::DatasetWriter writer(dir.path / "wide.h5", {"wide", {30}, {}});
  gibbs::Matrix<float> x(20, 30);
  for (std::size_t r = 0; r < 20; ++r) x(r, r % 30) = 1.0f;
  writer.add_split("train", x.view());
  writer.commit();
  BOOST_TEST_REQUIRE(
      run_gibbs("train --model rbm --data wide.h5 --hidden 30 --monitor 0 --epochs 1 -o w.h5", dir.path).status == 0);
  const Result w = run_gibbs("eval w.h5 --log-likelihood --exact", dir.path);
  BOOST_TEST(w.status == 2);
  BOOST_TEST(line_count(w.err) == 1u, w.err);
  BOOST_TEST(w.err.find("the hidden layer has 30 units") != std::string::npos, w.err);
}

BOOST_AUTO_TEST_CASE(training_records_what_eval_measures_at_the_epochs_asked_for) {
  TempDir dir;
  write_bars(dir.path / "bars.h5");
  const std::string ais = "--ais-runs 20 --ais-betas 500 ";
  const Result r = run_gibbs(
      "train --model rbm --data bars.h5 --hidden 10 --monitor 0 --epochs 5 --batch-size 10 "
      "--lr 0.1 --seed 3 --log-likelihood-every 2 " +
          ais + "-o c.h5",
      dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const gibbs::io::Checkpoint c = gibbs::io::load_checkpoint(dir.path / "c.h5");
  // Measured after epochs 2 and 4, and after the last (5); NaN after the others.
  for (const char* name : {"log_partition", "log_likelihood", "test_log_likelihood"}) {
    const std::vector<double>& series = c.history.at(name);
    BOOST_TEST_REQUIRE(series.size() == 5u, name);
    for (std::size_t e = 0; e < 5; ++e) BOOST_TEST(std::isnan(series[e]) == (e == 0 || e == 2), name << e);
  }
  // The last measurement is gibbs eval's with the same AIS settings and the run's seed.
  const Result eval = run_gibbs("eval c.h5 --log-likelihood --json --seed 3 " + ais, dir.path);
  BOOST_TEST_REQUIRE(eval.status == 0, eval.err);
  BOOST_TEST(number_after(eval.out, "log_partition") == c.history.at("log_partition").back());
  BOOST_TEST(number_after(eval.out, "test_log_likelihood") == c.history.at("test_log_likelihood").back());
  BOOST_TEST(number_after(eval.out, "train_log_likelihood") == c.history.at("log_likelihood").back());
  BOOST_TEST(r.out.find("test_log_likelihood ") != std::string::npos, r.out);
  const Result zero = run_gibbs("eval c.h5 --log-likelihood --ais-runs 0", dir.path);
  BOOST_TEST(zero.status == 2);
  BOOST_TEST(zero.err == "gibbs: --ais-runs: must be at least 1, got 0\n");

  // Stopped after epoch 3 and resumed: the same history, NaNs included.
  BOOST_TEST_REQUIRE(run_gibbs("train --model rbm --data bars.h5 --hidden 10 --monitor 0 --epochs 3 --batch-size 10 "
                               "--lr 0.1 --seed 3 --log-likelihood-every 2 " +
                                   ais + "-o r.h5",
                               dir.path)
                         .status == 0);
  BOOST_TEST_REQUIRE(run_gibbs("train --resume r.h5 --epochs 5", dir.path).status == 0);
  const gibbs::io::Checkpoint resumed = gibbs::io::load_checkpoint(dir.path / "r.h5");
  // Epoch 3 was the last of the first run, so it was measured there; otherwise the same.
  for (const char* name : {"log_partition", "test_log_likelihood"}) {
    const std::vector<double>&a = c.history.at(name), &b = resumed.history.at(name);
    BOOST_TEST_REQUIRE(b.size() == 5u);
    BOOST_TEST(!std::isnan(b[2]));
    for (const std::size_t e : {1u, 3u, 4u}) BOOST_TEST(a[e] == b[e], name << e);
  }
}

BOOST_AUTO_TEST_CASE(with_stochastic_binarisation_it_is_measured_on_the_splits_drawn_once) {
  TempDir dir;
  // Grey bars: every lit pixel 0.8, so the rows are probabilities, not binary.
  gibbs::io::DatasetWriter writer(dir.path / "grey.h5", {"grey bars", {4, 4}, {}});
  for (const auto& [split, rows] : {std::pair{"train", 120}, std::pair{"test", 40}}) {
    gibbs::Matrix<float> x(static_cast<std::size_t>(rows), 16, 0.05f);
    for (std::size_t r = 0; r < x.rows(); ++r)
      for (std::size_t k = 0; k < 4; ++k) x(r, r % 2 == 0 ? (r / 2) % 4 * 4 + k : k * 4 + (r / 2) % 4) = 0.8f;
    writer.add_split(split, x.view());
  }
  writer.commit();
  const std::string ais = "--ais-runs 20 --ais-betas 500 ";
  const Result r = run_gibbs(
      "train --model rbm --data grey.h5 --hidden 10 --monitor 0 --epochs 2 --batch-size 10 "
      "--lr 0.1 --seed 7 --binarize stochastic --log-likelihood-every 1 " +
          ais + "-o c.h5",
      dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST_REQUIRE(run_gibbs("data binarize grey.h5 --stochastic --seed 7 -o drawn.h5", dir.path).status == 0);
  const Result eval = run_gibbs("eval c.h5 --data drawn.h5 --log-likelihood --json --seed 7 " + ais, dir.path);
  BOOST_TEST_REQUIRE(eval.status == 0, eval.err);
  const gibbs::io::Checkpoint c = gibbs::io::load_checkpoint(dir.path / "c.h5");
  BOOST_TEST(number_after(eval.out, "test_log_likelihood") == c.history.at("test_log_likelihood").back());
  BOOST_TEST(number_after(eval.out, "train_log_likelihood") == c.history.at("log_likelihood").back());

  // Without binarisation the grey rows have no log-likelihood: said before any epoch, and by eval.
  const Result grey = run_gibbs(
      "train --model rbm --data grey.h5 --hidden 10 --monitor 0 --epochs 2 --log-likelihood-every 1 -o g.h5", dir.path);
  BOOST_TEST(grey.status == 2);
  BOOST_TEST(
      grey.err == "gibbs: " + (dir.path / "grey.h5").string() +
                      ": --log-likelihood-every: the train split has no log-likelihood under the model: row 0 holds "
                      "0.8, and the binary visible units of a Bernoulli RBM take only 0 or 1 (train with --binarize "
                      "stochastic, or binarise the data: gibbs data binarize)\n",
      grey.err);
  BOOST_TEST(!fs::exists(dir.path / "g.h5"));
  const Result on_grey = run_gibbs("eval c.h5 --log-likelihood", dir.path);
  BOOST_TEST(on_grey.status == 2);
  BOOST_TEST(
      on_grey.err.find("the train split has no log-likelihood under the model: row 0 holds 0.8") != std::string::npos,
      on_grey.err);
}

BOOST_AUTO_TEST_CASE(a_model_without_a_partition_function_is_refused_before_training) {
  TempDir dir;
  BOOST_TEST_REQUIRE(run_gibbs("data synth logic --op or --inputs 4 --repeat 3 -o or.h5", dir.path).status == 0);
  const Result r =
      run_gibbs("train --model perceptron --data or.h5 --epochs 5 --log-likelihood-every 1 -o p.h5", dir.path);
  BOOST_TEST(r.status == 2);
  BOOST_TEST(line_count(r.err) == 1u, r.err);
  BOOST_TEST(r.err.find("the perceptron model cannot compute a partition function") != std::string::npos, r.err);
  BOOST_TEST(!fs::exists(dir.path / "p.h5"));
}
