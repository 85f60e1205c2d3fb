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
