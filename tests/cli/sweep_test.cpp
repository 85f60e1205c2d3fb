// End-to-end tests of `gibbs sweep` through the real binary: each run equals the `gibbs train` it
// stands for, bit for bit; a second invocation skips what is done; an interrupted sweep resumes
// to the uninterrupted result; under mpirun the ranks share the runs and give the same files; and
// the errors a user meets, before anything trains.
#define BOOST_TEST_MODULE cli_sweep
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/support/bars.h"
#include "tests/support/png_read.h"
#include "tests/support/run_gibbs.h"
#include "tests/support/same_run.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

const std::string kSweep =
    "sweep --model rbm --data bars.h5 --grid hidden=8,3 --grid lr=0.1,0.05 --seeds 2 --epochs 3 --batch-size 10 "
    "--monitor 0 -o ";
const std::vector<std::string> kRuns = {"hidden-8_lr-0.1_seed-0",  "hidden-8_lr-0.1_seed-1", "hidden-8_lr-0.05_seed-0",
                                        "hidden-8_lr-0.05_seed-1", "hidden-3_lr-0.1_seed-0", "hidden-3_lr-0.1_seed-1",
                                        "hidden-3_lr-0.05_seed-0", "hidden-3_lr-0.05_seed-1"};

std::string bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = text.find('\n', start);
    out.push_back(text.substr(start, end - start));
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

struct Bars {
  TempDir dir;
  Bars() { write_bars(dir.path / "bars.h5"); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(every_run_is_the_training_it_names_and_a_second_call_skips_them) {
  Bars bars;
  const Result sweep = run_gibbs(kSweep + "runs --jobs 2 --threads 2", bars.dir.path);
  BOOST_REQUIRE_MESSAGE(sweep.status == 0, sweep.err);
  for (const std::string& run : kRuns) BOOST_TEST(fs::exists(bars.dir.path / "runs" / (run + ".h5")), run);
  // One of them trained by hand.
  const Result by_hand = run_gibbs(
      "train --model rbm --data bars.h5 --epochs 3 --batch-size 10 --monitor 0 --hidden 3 --lr 0.05 --seed 1 -o h.h5",
      bars.dir.path);
  BOOST_REQUIRE_MESSAGE(by_hand.status == 0, by_hand.err);
  check_same_run(bars.dir.path / "runs/hidden-3_lr-0.05_seed-1.h5", bars.dir.path / "h.h5");

  const std::vector<std::string> summary = lines(bytes(bars.dir.path / "runs/summary.csv"));
  BOOST_REQUIRE(summary.size() == kRuns.size() + 1);
  BOOST_TEST(summary[0].starts_with("run,hidden,lr,seed,status,epochs,seconds,"), summary[0]);
  BOOST_TEST(summary[0].find(",reconstruction_mse,") != std::string::npos, summary[0]);
  for (std::size_t i = 0; i < kRuns.size(); ++i) BOOST_TEST(summary[i + 1].starts_with(kRuns[i] + ","), summary[i + 1]);
  BOOST_TEST(summary[8].starts_with("hidden-3_lr-0.05_seed-1,3,0.05,1,trained,3,"), summary[8]);
  for (const char* png : {"curves.png", "final.png"}) {
    const Picture picture = read_png(bars.dir.path / "runs" / png);
    BOOST_TEST(picture.width > 500u, png);
  }

  // Again: every run is found done, and no checkpoint changes.
  const std::string before = bytes(bars.dir.path / "runs/hidden-8_lr-0.1_seed-0.h5");
  const Result again = run_gibbs(kSweep + "runs", bars.dir.path);
  BOOST_TEST(again.status == 0, again.err);
  BOOST_TEST(again.out.find("already trained for 3 epochs") != std::string::npos, again.out);
  BOOST_TEST(bytes(bars.dir.path / "runs/hidden-8_lr-0.1_seed-0.h5") == before);

  // --json: the same rows on standard output.
  const Result json = run_gibbs(kSweep + "runs --json", bars.dir.path);
  BOOST_TEST(json.status == 0, json.err);
  BOOST_TEST(json.out.starts_with("{\"folder\": \"runs\", \"runs\": [{\"run\": \"hidden-8_lr-0.1_seed-0\", "
                                  "\"options\": {\"hidden\": \"8\", \"lr\": \"0.1\", \"seed\": \"0\"}, \"status\": "
                                  "\"trained\", \"epochs\": 3,"),
             json.out);
  BOOST_TEST(line_count(json.out) == 1u);
}

BOOST_AUTO_TEST_CASE(an_interrupted_sweep_resumes_to_the_uninterrupted_result) {
  Bars bars;
  const Result whole = run_gibbs(kSweep + "whole --jobs 3", bars.dir.path);
  BOOST_REQUIRE_MESSAGE(whole.status == 0, whole.err);
  // Every run stops at its step 17 (of 36), as after a Ctrl-C, with its checkpoint saved.
  const Result stopped = run_gibbs(kSweep + "parts --jobs 3", bars.dir.path, "GIBBS_TEST_INTERRUPT_AT_STEP=17");
  BOOST_TEST(stopped.status == 130);
  BOOST_TEST(stopped.err == "sweep: interrupted, 0 of 8 runs trained; the same command resumes the others\n");
  BOOST_TEST(!fs::exists(bars.dir.path / "parts/summary.csv"));
  const Result resumed = run_gibbs(kSweep + "parts --jobs 3", bars.dir.path);
  BOOST_REQUIRE_MESSAGE(resumed.status == 0, resumed.err);
  for (const std::string& run : kRuns)
    check_same_run(bars.dir.path / "whole" / (run + ".h5"), bars.dir.path / "parts" / (run + ".h5"));
}

#ifdef GIBBS_MPIEXEC
// Under mpirun the ranks share the runs (rank r trains runs r, r + R, ...), and the files are the
// one-process sweep's; rank 0 alone writes the summary.
BOOST_AUTO_TEST_CASE(ranks_share_the_runs_and_give_the_same_files) {
  Bars bars;
  const Result one = run_gibbs(kSweep + "one", bars.dir.path);
  BOOST_REQUIRE_MESSAGE(one.status == 0, one.err);
  for (const int ranks : {2, 3}) {
    const std::string folder = "ranks" + std::to_string(ranks);
    const Result r = mpirun(ranks, kSweep + folder, bars.dir.path);
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
    for (const std::string& run : kRuns)
      check_same_run(bars.dir.path / "one" / (run + ".h5"), bars.dir.path / folder / (run + ".h5"));
    // Each rank reports its own runs; rank 0 the summary, once.
    BOOST_TEST(line_count(r.out) == kRuns.size() + 3, r.out);
    BOOST_TEST(lines(bytes(bars.dir.path / folder / "summary.csv")).size() == kRuns.size() + 1);
  }
}
#endif

BOOST_AUTO_TEST_CASE(bad_sweeps_are_one_line_before_anything_trains) {
  Bars bars;
  const auto fails = [&](const std::string& args, const std::string& line) {
    const Result r = run_gibbs(args, bars.dir.path);
    BOOST_TEST(r.status == 2, args);
    BOOST_TEST(r.err == "gibbs: " + line + "\n", args);
    BOOST_TEST(!fs::exists(bars.dir.path / "new"), args);
  };
  const std::string base = "sweep --model rbm --data bars.h5 --epochs 1 -o new ";
  fails(base + "--grid nosuch=1,2", "--grid: gibbs train has no option --nosuch for this model");
  fails(base + "--grid hidden=4,0", "--hidden: must be at least 1, got 0");
  fails(base + "--grid hidden=4,4", "--grid: 'hidden=4,4' gives 4 twice");
  fails(base + "--grid hidden", "--grid: 'hidden' is not NAME=V1,V2,...");
  fails(base + "--grid model=rbm,mlp", "--grid: --model cannot vary in a sweep");
  fails(base + "--grid hidden=4,8 --hidden 3", "--grid: --hidden is also given as a fixed option");
  fails(base + "--seeds 2 --seed 4", "sweep: --seeds N trains seeds 0 to N-1: give --seed or --seeds, not both");
  fails(base, "sweep: give --grid NAME=V1,V2,... or --seeds N");
  fails("sweep --model rbm --data nothing.h5 --seeds 2 -o new",
        (fs::canonical(bars.dir.path) / "nothing.h5").string() + ": no such file");

  // A folder that holds another sweep's runs is left as it was.
  const Result first = run_gibbs(base + "--seeds 2", bars.dir.path);
  BOOST_REQUIRE_MESSAGE(first.status == 0, first.err);
  const std::string declaration = bytes(bars.dir.path / "new/sweep.json");
  const Result other = run_gibbs(base + "--seeds 3", bars.dir.path);
  BOOST_TEST(other.status == 2);
  BOOST_TEST(other.err ==
             "gibbs: -o new: holds another sweep's runs (its sweep.json lists other runs); give another folder, or "
             "the command that made it\n");
  BOOST_TEST(bytes(bars.dir.path / "new/sweep.json") == declaration);
  BOOST_TEST(!fs::exists(bars.dir.path / "new/seed-2.h5"));
}
