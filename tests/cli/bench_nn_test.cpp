// End-to-end tests of `gibbs bench mlp|cnn|autoencoder` through the real binary, on a small
// dataset of 28×28 pictures: the JSON line, the test figures (the same for any thread count),
// and a missing peer reported without failing the benchmark.
#define BOOST_TEST_MODULE cli_bench_nn
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/json_lines.h"
#include "tests/support/run_gibbs.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

// 28×28 pictures of a bright square whose place (one of 10, the workloads' class count) is the
// class: 330 train (so the last minibatch of 64 is partial), 60 test rows.
void write_squares(const fs::path& path) {
  gibbs::io::DatasetWriter writer(path, {"squares", {28, 28}, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}});
  for (const auto& [split, rows] : {std::pair{"train", 330}, std::pair{"test", 60}}) {
    gibbs::Matrix<std::uint8_t> x(static_cast<std::size_t>(rows), 784);
    std::vector<std::int32_t> y;
    for (std::size_t r = 0; r < x.rows(); ++r) {
      const std::size_t label = r % 10, top = label / 5 * 14 + r % 3, left = label % 5 * 4 + r % 2;
      for (std::size_t i = 0; i < 8; ++i)
        for (std::size_t j = 0; j < 8; ++j) x(r, (top + i) * 28 + left + j) = static_cast<std::uint8_t>(200 + r % 50);
      y.push_back(static_cast<std::int32_t>(label));
    }
    writer.add_split(split, x.view(), 1.0f / 255, y);
  }
  writer.commit();
}

boost::property_tree::ptree json_line(const Result& r) {
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.out.find('\n') == r.out.size() - 1, "one line: " + r.out);
  boost::property_tree::ptree json;
  std::istringstream text(r.out);
  boost::property_tree::read_json(text, json);
  return json;
}

struct Squares {
  TempDir dir{"gibbs-bench-nn-test"};
  Squares() { write_squares(dir.path / "squares.h5"); }
  Result bench(const std::string& args) const {
    return run_gibbs("bench " + args + " --data squares.h5 --json --epochs 2", dir.path);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(mlp_and_cnn_report_accuracy_the_same_for_any_thread_count, Squares) {
  for (const std::string workload : {"mlp", "cnn"}) {
    const auto one = json_line(bench(workload + " --no-peers --threads 1"));
    const auto two = json_line(bench(workload + " --no-peers --threads 2"));
    BOOST_TEST(one.get<std::string>("workload") == workload);
    BOOST_TEST(one.get<std::string>("design") == (workload == "mlp" ? "W5" : "W6"));
    BOOST_TEST(one.get<int>("epochs") == 2);
    BOOST_TEST(one.get<int>("batch") == 64);
    BOOST_TEST(one.get<int>("gibbs_threads") == 1);
    BOOST_TEST(two.get<int>("gibbs_threads") == 2);
    BOOST_TEST(one.get<double>("gibbs_seconds") > 0);
    BOOST_TEST(one.get<double>("gibbs_images_per_second") > 0);
    const double accuracy = one.get<double>("gibbs_test_accuracy");
    BOOST_TEST(accuracy >= 0.0);
    BOOST_TEST(accuracy <= 1.0);
    // Two epochs on ten separable classes: well above chance (0.1).
    BOOST_TEST(accuracy >= 0.4, workload);
    BOOST_TEST(one.get<std::string>("gibbs_test_accuracy") == two.get<std::string>("gibbs_test_accuracy"), workload);
    BOOST_TEST(one.get<std::string>("peer") == "null");
    BOOST_TEST(one.get<std::string>("ratio") == "null");
    // The GEMMs' multiply-adds a training row (nn::Network::training_multiply_adds, counted in
    // network_test), ×2, over the 330 rows of an epoch, over its seconds.
    const double per_row = workload == "mlp" ? 529504.0 : 7698432.0;
    const double gflops = one.get<double>("gibbs_gflops"), peak = one.get<double>("peak_gflops");
    BOOST_TEST(gflops * one.get<double>("gibbs_seconds") == 2 * per_row * 330 / 1e9,
               boost::test_tools::tolerance(1e-9));
    BOOST_TEST(peak > 0.0);
    BOOST_TEST(one.get<double>("gibbs_share_of_peak") == gflops / peak, boost::test_tools::tolerance(1e-9));
  }
}

BOOST_FIXTURE_TEST_CASE(autoencoder_reports_test_mse, Squares) {
  const auto one = json_line(bench("autoencoder --no-peers --threads 1"));
  const auto two = json_line(bench("autoencoder --no-peers --threads 2"));
  BOOST_TEST(one.get<std::string>("design") == "W7");
  const double mse = one.get<double>("gibbs_test_mse");
  BOOST_TEST(mse > 0.0);
  BOOST_TEST(mse < 0.5);  // sigmoid outputs in (0, 1) against pixels in [0, 1]
  BOOST_TEST(one.get<std::string>("gibbs_test_mse") == two.get<std::string>("gibbs_test_mse"));
  BOOST_TEST(one.get_optional<std::string>("gibbs_test_accuracy") == boost::none);
}

BOOST_FIXTURE_TEST_CASE(a_missing_peer_is_reported_and_the_benchmark_still_runs, Squares) {
  const Result r = bench("mlp --threads 1 --peers no-such-folder");
  const auto json = json_line(r);
  BOOST_TEST(r.err.find("peer unavailable: pytorch: ") != std::string::npos, r.err);
  BOOST_TEST(json.get<double>("gibbs_seconds") > 0);
  BOOST_TEST(json.get<std::string>("peer") == "null");
  BOOST_TEST(json.get<std::string>("peer_seconds") == "null");
}

// Shards fixed across the thread counts: the same bits at 1 and 2 threads, with both shards of a
// minibatch computed at once on 2.
BOOST_FIXTURE_TEST_CASE(bench_scaling_trains_with_the_shards_given_at_every_thread_count, Squares) {
  const Result r =
      run_gibbs("bench scaling --workload W5 --shards 2 --threads-list 1,2 --data squares.h5 --json", dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const auto records = json_lines(r.out);
  for (std::size_t count = 0; count < records.size(); ++count) {
    const boost::property_tree::ptree& json = records[count];
    BOOST_TEST(json.get<std::string>("workload") == "W5");
    BOOST_TEST(json.get<int>("shards") == 2);
    BOOST_TEST(json.get<std::size_t>("threads") == count + 1);
    BOOST_TEST(json.get<bool>("same_bits"));
  }
  BOOST_TEST(records.size() == 2u);
  // The option reaches the training: more shards than a minibatch's rows are refused there.
  const Result bad = run_gibbs("bench scaling --workload W5 --shards 65 --threads-list 1 --data squares.h5", dir.path);
  BOOST_TEST(bad.status != 0);
  BOOST_TEST(bad.err.starts_with("gibbs: bench scaling: W5 at 1 threads: "), bad.err);
  BOOST_TEST(bad.err.find("shards") != std::string::npos, bad.err);
}

BOOST_FIXTURE_TEST_CASE(bad_inputs_are_one_line_errors, Squares) {
  for (const std::string args : {"mlp --epochs 0", "cnn --data no-such-file.h5", "autoencoder --batch 0"}) {
    const Result r = run_gibbs("bench " + args + " --no-peers", dir.path);
    BOOST_TEST(r.status == 2, args);
    BOOST_TEST(r.err.starts_with("gibbs: "), args + ": " + r.err);
  }
}

// The dataset is checked by its shapes and labels before anything runs, its values left to `gibbs train`.
BOOST_FIXTURE_TEST_CASE(a_dataset_the_workloads_cannot_take_is_named_in_one_line, Squares) {
  {
    gibbs::io::DatasetWriter writer(dir.path / "small.h5", {"small", {4, 4}, {}});
    for (const char* split : {"train", "test"}) writer.add_split(split, gibbs::Matrix<float>(8, 16).view());
    writer.commit();
  }
  {
    gibbs::io::DatasetWriter writer(dir.path / "unlabelled.h5", {"unlabelled", {28, 28}, {}});
    for (const char* split : {"train", "test"}) writer.add_split(split, gibbs::Matrix<float>(8, 784).view());
    writer.commit();
  }
  const Result small = run_gibbs("bench autoencoder --no-peers --data small.h5", dir.path);
  BOOST_TEST(small.status == 2);
  BOOST_TEST(small.err ==
                 "gibbs: small.h5: expected train and test splits of rows of 784 values "
                 "(28x28 images)\n",
             small.err);
  const Result unlabelled = run_gibbs("bench mlp --no-peers --data unlabelled.h5", dir.path);
  BOOST_TEST(unlabelled.status == 2);
  BOOST_TEST(unlabelled.err == "gibbs: unlabelled.h5: the mlp workload needs labels in both splits\n", unlabelled.err);
  // The autoencoder needs no labels: it trains.
  const Result r = run_gibbs("bench autoencoder --no-peers --json --epochs 1 --data unlabelled.h5", dir.path);
  BOOST_TEST(r.status == 0, r.err);
}
