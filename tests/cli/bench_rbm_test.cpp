// `gibbs bench rbm` times `gibbs train` itself: W2 and W4 through the bench, kept with -o, give the
// checkpoint `gibbs train` gives with the same settings and seed, bit for bit.
#define BOOST_TEST_MODULE cli_bench_rbm
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/json_lines.h"
#include "tests/support/run_gibbs.h"
#include "tests/support/same_run.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

// 784 values a row (the workloads' width): 150 train rows (a short last minibatch of W2's 128), 20 test.
void write_pixels(const fs::path& path) {
  gibbs::io::DatasetWriter writer(path, {"pixels", {28, 28}, {}});
  for (const auto& [split, rows] : {std::pair{"train", 150}, std::pair{"test", 20}}) {
    gibbs::Matrix<float> x(static_cast<std::size_t>(rows), 784);
    for (std::size_t r = 0; r < x.rows(); ++r)
      for (std::size_t c = 0; c < 784; ++c) x(r, c) = static_cast<float>((r * 7 + c * 13) % 11) / 10.0f;
    writer.add_split(split, x.view(), {});
  }
  writer.commit();
}

// dir/peers/rbm_torch.py and rbm_numpy.py, each the Python `body` (the peer's stand-in).
void write_fake_peers(const fs::path& dir, const std::string& body) {
  fs::create_directory(dir / "peers");
  for (const char* name : {"rbm_torch.py", "rbm_numpy.py"}) std::ofstream(dir / "peers" / name) << body;
}

}  // namespace

BOOST_AUTO_TEST_CASE(bench_rbm_trains_exactly_as_gibbs_train_does) {
  TempDir dir("gibbs-bench-rbm-test");
  write_pixels(dir.path / "pixels.h5");
  const std::string train = "train --model rbm --data pixels.h5 --hidden 500 --epochs 1 --seed 1 --monitor 0 ";
  for (const auto& [workload, options] :
       {std::pair<std::string, std::string>{"W2", "--k 1 --lr 0.01 --init normal:0.01 --batch-size 128"},
        std::pair<std::string, std::string>{"W4",
                                            "--k 15 --persistent --lr 0.1 --init uniform-glorot4 --batch-size 20"}}) {
    const Result bench = run_gibbs("bench rbm --data pixels.h5 --workload " + workload +
                                       " --epochs 1 --no-peers --json -o " + workload + "-bench.h5",
                                   dir.path);
    BOOST_TEST_REQUIRE(bench.status == 0, bench.err);
    BOOST_TEST_REQUIRE(run_gibbs(train + options + " -o " + workload + "-train.h5", dir.path).status == 0);
    check_same_run(dir.path / (workload + "-bench.h5"), dir.path / (workload + "-train.h5"));

    boost::property_tree::ptree json;
    std::istringstream text(bench.out);
    boost::property_tree::read_json(text, json);
    const gibbs::io::Checkpoint c = gibbs::io::load_checkpoint(dir.path / (workload + "-train.h5"));
    BOOST_TEST(json.get<double>("gibbs_reconstruction_mse") == c.history.at("reconstruction_mse").back(), workload);
    // The GEMMs' multiply-adds a row (ContrastiveDivergence::multiply_adds_per_row: CD-1 5·v·h;
    // PCD-15 with as many chains as rows 33·v·h), ×2, over the 150 rows, over the epoch's seconds.
    const double per_row = (workload == "W2" ? 5.0 : 33.0) * 784 * 500;
    BOOST_TEST(json.get<double>("gibbs_gflops") * json.get<double>("gibbs_seconds") == 2 * per_row * 150 / 1e9,
               boost::test_tools::tolerance(1e-9));
    BOOST_TEST(
        json.get<double>("gibbs_share_of_peak") == json.get<double>("gibbs_gflops") / json.get<double>("peak_gflops"),
        boost::test_tools::tolerance(1e-9));
  }
  const Result both = run_gibbs("bench rbm --data pixels.h5 --workload W2,W4 --no-peers -o x.h5", dir.path);
  BOOST_TEST(both.status == 2);
  BOOST_TEST(both.err ==
             "gibbs: bench rbm: -o CKPT keeps one training's checkpoint: give --workload W2 or --workload W4\n");
  // An output that cannot be written is refused before the workload runs (10^6 epochs here).
  fs::create_directory(dir.path / "folder");
  const Result folder =
      run_gibbs("bench rbm --data pixels.h5 --workload W2 --epochs 1000000 --no-peers -o folder", dir.path);
  BOOST_TEST(folder.status == 2);
  BOOST_TEST(folder.out.empty());
  BOOST_TEST(folder.err.starts_with("gibbs: folder: is a directory"), folder.err);
}

// Fake peers: every configuration measures at once, except PyTorch with its OpenMP pool spinning
// beside two BLAS threads, which would sleep for ten minutes; it is stopped and said to be.
BOOST_AUTO_TEST_CASE(a_peer_configuration_far_slower_than_the_fastest_is_stopped) {
  TempDir dir("gibbs-bench-peer-limit-test");
  write_fake_peers(dir.path,
                   "import json, os, sys, time\n"
                   "threads = int(sys.argv[sys.argv.index('--threads') + 1])\n"
                   "blas = int(sys.argv[sys.argv.index('--blas-threads') + 1])\n"
                   "if os.environ['OMP_WAIT_POLICY'] == 'ACTIVE' and blas == 2:\n"
                   "    time.sleep(600)\n"
                   "print(json.dumps({'seconds': 1.5 / threads + (0.25 if blas == 2 else 0)}))\n");
  const auto start = std::chrono::steady_clock::now();
  const Result r = run_gibbs("bench rbm --workload gibbs --peers peers --json", dir.path);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  // Stopped after 4 × 0.75 + 5 s: the sleeping configuration alone would take 600 s. (A Debug
  // build's own chains and FMA peak take about 190 s.)
  BOOST_TEST(wall < 500.0);
  BOOST_TEST(
      r.err.find("peer configuration stopped: rbm_torch.py (2 threads, OpenMP active, BLAS 2): stopped after ") !=
          std::string::npos,
      r.err);
  BOOST_TEST(r.err.find("s, over 4× the fastest configuration's time\n") != std::string::npos, r.err);
  boost::property_tree::ptree json;
  std::istringstream text(r.out);
  boost::property_tree::read_json(text, json);
  BOOST_TEST(json.get<double>("peer_seconds") == 0.75);
  BOOST_TEST(json.get<std::string>("peer") == "pytorch");
  for (const auto& [key, peer] : json.get_child("peers"))
    BOOST_TEST(peer.get<std::string>("config") == (peer.get<std::string>("peer") == "pytorch"
                                                       ? "2 threads, OpenMP passive, BLAS 1"
                                                       : "2 threads, OpenMP passive, BLAS 2"));
}

// The Python peers get the OpenBLAS kernels of the target gibbs runs on, as `bench gemm`'s peers
// do: SkylakeX kernels stop with SIGILL on a CPU without AVX-512.
BOOST_AUTO_TEST_CASE(python_peers_get_the_openblas_kernels_of_the_simd_target) {
  TempDir dir("gibbs-bench-peer-core-test");
  write_fake_peers(dir.path,
                   "import json, os, sys\n"
                   "core = os.environ.get('OPENBLAS_CORETYPE')\n"
                   "if core != 'Haswell':\n"
                   "    print(f'peer: error: OPENBLAS_CORETYPE={core}')\n"
                   "    sys.exit(2)\n"
                   "print(json.dumps({'seconds': 2.0}))\n");
  const Result r = run_gibbs("--simd avx2 bench rbm --workload gibbs --peers peers --json --threads 1", dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.err.find("peer unavailable") == std::string::npos, r.err);
  boost::property_tree::ptree json;
  std::istringstream text(r.out);
  boost::property_tree::read_json(text, json);
  BOOST_TEST(json.get<double>("peer_seconds") == 2.0);
}

// --python names the Python of the peer scripts (a virtual environment's, with its own PyTorch):
// here a shell script standing in for one, in a path with a space, which answers for the script it
// is given; the peers themselves would fail under any Python.
BOOST_AUTO_TEST_CASE(python_names_the_interpreter_of_the_peer_scripts) {
  TempDir dir("gibbs-bench-python-test");
  write_fake_peers(dir.path, "raise SystemExit('peer: error: not the Python given')\n");
  const fs::path python = dir.path / "venv python";
  std::ofstream(python) << "#!/bin/sh\n"
                           "case \"$1\" in\n"
                           "  peers/rbm_torch.py) echo '{\"seconds\": 3.5, \"version\": \"2.11.0+cpu\"}' ;;\n"
                           "  peers/rbm_numpy.py) echo '{\"seconds\": 4.5}' ;;\n"
                           "  *) echo \"peer: error: $1\"; exit 2 ;;\n"
                           "esac\n";
  fs::permissions(python, fs::perms::owner_all);
  const Result r =
      run_gibbs("bench rbm --workload gibbs --peers peers --python './venv python' --json --threads 1", dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.err.find("peer unavailable") == std::string::npos, r.err);
  boost::property_tree::ptree json;
  std::istringstream text(r.out);
  boost::property_tree::read_json(text, json);
  BOOST_TEST(json.get<std::string>("peer") == "pytorch");
  BOOST_TEST(json.get<double>("peer_seconds") == 3.5);
  for (const auto& [key, peer] : json.get_child("peers"))  // the version each says, or null
    BOOST_TEST(peer.get<std::string>("version") ==
               (peer.get<std::string>("peer") == "pytorch" ? "2.11.0+cpu" : "null"));

  const Result missing =
      run_gibbs("bench rbm --workload gibbs --peers peers --python no-such-python --json --threads 1", dir.path);
  BOOST_TEST_REQUIRE(missing.status == 0, missing.err);
  BOOST_TEST(missing.err.find("peer unavailable: pytorch: ") != std::string::npos, missing.err);
  BOOST_TEST(missing.err.find("no-such-python") != std::string::npos, missing.err);
}

BOOST_AUTO_TEST_CASE(bench_scaling_runs_each_thread_count_and_compares_the_bits) {
  TempDir dir("gibbs-bench-scaling-test");
  write_pixels(dir.path / "pixels.h5");
  const Result r =
      run_gibbs("bench scaling --workload W2 --threads-list 1,2 --data pixels.h5 --epochs 1 --json", dir.path);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const auto records = json_lines(r.out);
  for (std::size_t count = 0; count < records.size(); ++count) {
    const boost::property_tree::ptree& json = records[count];
    BOOST_TEST(json.get<std::string>("workload") == "W2");
    BOOST_TEST(json.get<int>("threads") == (count == 0 ? 1 : 2));
    BOOST_TEST(json.get<double>("seconds") > 0.0);
    if (count == 0) BOOST_TEST(json.get<double>("speed_up") == 1.0);
    BOOST_TEST(json.get<bool>("same_bits"));  // a 128×784×500 minibatch is split between the threads
  }
  BOOST_TEST(records.size() == 2u);
  const Result bad = run_gibbs("bench scaling --threads-list 2,4", dir.path);
  BOOST_TEST(bad.status == 2);
  BOOST_TEST(bad.err == "gibbs: bench scaling: --threads-list '2,4' must start at 1 (the reference)\n");
}
