// End-to-end tests of what an output may replace (issue 14, README "Outputs"): a device, FIFO,
// directory, dangling link or one of the command's own inputs gets one line and exit 2 and is left
// as it was; a link to a regular file replaces that file; `-o -` and /dev/stdout put a CSV on
// standard output; 100 SIGKILLs during checkpoint writes leave one temporary file at most, which
// the next write removes, and the previous checkpoint intact.
#define BOOST_TEST_MODULE cli_outputs
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/bars.h"
#include "tests/support/run_gibbs.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

const std::string kSynth = "data synth logic --op and --inputs 2 -o ";
const std::string kOnly = "; outputs are written to regular files only";

void check_error(const Result& r, const std::string& line) {
  BOOST_TEST(r.status == 2, line);
  BOOST_TEST(r.out.empty(), r.out);
  BOOST_TEST(r.err == "gibbs: " + line + "\n");
}

std::size_t temporaries(const fs::path& folder, const std::string& of) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(folder)) n += e.path().filename().string().starts_with(of + ".tmp-");
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_device_fifo_folder_or_dangling_link_is_refused_and_left_alone) {
  TempDir dir;
  const fs::path d = dir.path;
  fs::create_directory(d / "folder");
  ::mkfifo((d / "fifo").c_str(), 0644);
  fs::create_symlink("missing.h5", d / "dangling.h5");
  fs::create_symlink("fifo", d / "to-fifo.h5");
  check_error(run_gibbs(kSynth + "folder", d), "folder: is a directory" + kOnly);
  check_error(run_gibbs(kSynth + "fifo", d), "fifo: is a FIFO" + kOnly);
  check_error(run_gibbs(kSynth + "dangling.h5", d),
              "dangling.h5: is a symbolic link to missing.h5, which does not exist");
  check_error(run_gibbs(kSynth + "to-fifo.h5", d),
              "to-fifo.h5: is a symbolic link to " + (fs::canonical(d) / "fifo").string() + ", a FIFO" + kOnly);
  BOOST_TEST(fs::is_fifo(d / "fifo"));
  BOOST_TEST(fs::is_empty(d / "folder"));
  BOOST_TEST(!fs::exists(d / "missing.h5"));

  // A device node of our own where we may make one (root); /dev/null itself only where a broken
  // rule could not replace it (not root).
  fs::path device = d / "null";
  if (::mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) device = ::geteuid() == 0 ? "" : "/dev/null";
  if (device.empty()) {
    BOOST_TEST_MESSAGE("root without mknod: the device case is skipped rather than tried on /dev/null");
  } else {
    const std::string name = device == "/dev/null" ? "/dev/null" : "null";
    check_error(run_gibbs(kSynth + name, d), name + ": is a character device" + kOnly);
    BOOST_TEST(fs::is_character_file(device));
  }
  // Binary outputs do not go to standard output.
  for (const char* stream : {"-", "/dev/stdout"})
    check_error(
        run_gibbs(kSynth + stream, d),
        std::string(stream) + ": is a standard stream; only a text output (predict -o) can go to standard output");
  BOOST_TEST(temporaries(d, "folder") + temporaries(d, "fifo") == 0u);
}

BOOST_AUTO_TEST_CASE(an_output_onto_an_input_of_the_command_is_refused) {
  TempDir dir;
  const fs::path d = dir.path;
  BOOST_REQUIRE(run_gibbs(kSynth + "d.h5", d).status == 0);
  {
    std::ofstream csv(d / "x.csv");
    for (int row = 0; row < 10; ++row) csv << row << "," << 2 * row << "," << row % 2 << "\n";
  }
  fs::create_symlink("d.h5", d / "alias.h5");
  const std::string data = slurp(d / "d.h5"), csv = slurp(d / "x.csv");
  const std::string elsewhere = "; write the output to another file";
  check_error(run_gibbs("data binarize d.h5 -o d.h5", d), "d.h5: is an input of this command" + elsewhere);
  check_error(run_gibbs("data binarize d.h5 -o alias.h5", d),
              "alias.h5: is the same file as d.h5, an input of this command" + elsewhere);
  check_error(run_gibbs("data import csv x.csv --label-column 3 -o x.csv", d),
              "x.csv: is an input of this command" + elsewhere);
  BOOST_TEST(slurp(d / "d.h5") == data);
  BOOST_TEST(slurp(d / "x.csv") == csv);
  BOOST_TEST(fs::is_symlink(d / "alias.h5"));
}

// Rule chosen (README "Outputs"): a link to a regular file writes that file and stays a link.
BOOST_AUTO_TEST_CASE(a_link_to_a_regular_file_replaces_the_file_it_names) {
  TempDir dir;
  fs::create_directory(dir.path / "real");
  std::ofstream(dir.path / "real" / "d.h5") << "old";
  fs::create_symlink("real/d.h5", dir.path / "link.h5");
  BOOST_TEST(run_gibbs(kSynth + "link.h5", dir.path).status == 0);
  BOOST_TEST(fs::is_symlink(dir.path / "link.h5"));
  BOOST_TEST(run_gibbs("data info real/d.h5", dir.path).status == 0);
  BOOST_TEST(std::distance(fs::directory_iterator(dir.path / "real"), fs::directory_iterator()) == 1);
}

BOOST_AUTO_TEST_CASE(train_refuses_a_bad_output_before_it_trains) {
  TempDir dir;
  write_bars(dir.path / "bars.h5");
  ::mkfifo((dir.path / "fifo").c_str(), 0644);
  check_error(run_gibbs("train --model rbm --data bars.h5 --hidden 4 --epochs 1 -o fifo", dir.path),
              "fifo: is a FIFO" + kOnly);
  BOOST_TEST(fs::is_fifo(dir.path / "fifo"));
}

BOOST_AUTO_TEST_CASE(a_csv_goes_to_standard_output_for_dash_and_dev_stdout) {
  TempDir dir;
  BOOST_REQUIRE(run_gibbs("data synth logic --op xor --encoding 01 --inputs 2 -o xor.h5", dir.path).status == 0);
  BOOST_REQUIRE(
      run_gibbs("train --model mlp --data xor.h5 --layers 2,4,1 --epochs 2 --seed 1 -o m.h5", dir.path).status == 0);
  const Result file = run_gibbs("predict m.h5 -o p.csv", dir.path);
  BOOST_TEST(file.status == 0, file.err);
  const std::string csv = slurp(dir.path / "p.csv");
  BOOST_TEST(line_count(csv) == 5u, csv);
  for (const char* stream : {"-", "/dev/stdout"}) {
    const Result r = run_gibbs(std::string("predict m.h5 -o ") + stream, dir.path);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == csv);  // the CSV alone: no line saying what was written
    BOOST_TEST(r.err.empty(), r.err);
  }
  ::mkfifo((dir.path / "fifo").c_str(), 0644);
  check_error(run_gibbs("predict m.h5 -o fifo", dir.path), "fifo: is a FIFO" + kOnly);
}

// The measure: 100 SIGKILLs during checkpoint writes (after the temporary file is written
// and synced, before the rename) leave at most one temporary file, the checkpoint as it was; the
// next write removes it.
BOOST_AUTO_TEST_CASE(a_hundred_killed_saves_leave_one_temporary_file_at_most) {
  TempDir dir;
  write_bars(dir.path / "bars.h5");
  BOOST_REQUIRE(
      run_gibbs("train --model rbm --data bars.h5 --hidden 4 --monitor 0 --epochs 1 -o c.h5", dir.path).status == 0);
  const std::string before = slurp(dir.path / "c.h5");
  for (int kill = 0; kill < 100; ++kill) {
    const Result r = run_gibbs("train --resume c.h5 --epochs 2", dir.path, "GIBBS_TEST_KILL_BEFORE_RENAME=1");
    BOOST_TEST_REQUIRE(r.status == 128 + SIGKILL, r.err);
    BOOST_TEST_REQUIRE(temporaries(dir.path, "c.h5") <= 1u);
    BOOST_TEST_REQUIRE((slurp(dir.path / "c.h5") == before));
  }
  BOOST_TEST(temporaries(dir.path, "c.h5") == 1u);
  const Result r = run_gibbs("train --resume c.h5 --epochs 2", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(temporaries(dir.path, "c.h5") == 0u);
  BOOST_TEST((slurp(dir.path / "c.h5") != before));
}
