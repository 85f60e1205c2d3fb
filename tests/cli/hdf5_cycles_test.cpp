// End-to-end: a checkpoint with a hard-link cycle (/state/loop → /state) made every command that
// reads it recurse until std::bad_alloc, or overflow the stack under asan (issue 14). Now each one
// prints the one line naming the file and both paths, exits 2 and writes nothing.
#define BOOST_TEST_MODULE cli_hdf5_cycles
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include "tests/support/bars.h"
#include "tests/support/h5_links.h"
#include "tests/support/run_gibbs.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;
using namespace gibbs::test;

BOOST_AUTO_TEST_CASE(every_command_reading_a_cyclic_checkpoint_prints_one_line) {
  TempDir dir;
  write_bars(dir.path / "bars.h5");
  BOOST_REQUIRE(
      run_gibbs("train --model rbm --data bars.h5 --hidden 4 --monitor 0 --epochs 1 -o c.h5", dir.path).status == 0);
  fs::copy_file(dir.path / "c.h5", dir.path / "loop.h5");
  add_h5_link(dir.path / "loop.h5", "/state", "/state/loop");
  fs::copy_file(dir.path / "c.h5", dir.path / "root.h5");
  add_h5_link(dir.path / "root.h5", "/", "/state/train/up");
  const std::string loop = slurp(dir.path / "loop.h5");

  for (const char* command :
       {"inspect loop.h5", "inspect loop.h5 --json", "inspect c.h5 --diff loop.h5", "inspect loop.h5 --curves k.png",
        "inspect loop.h5 --filters f.png", "eval loop.h5", "reconstruct loop.h5 -o r.png", "sample loop.h5 -o s.png",
        "encode loop.h5 -o e.h5", "predict loop.h5 -o p.csv", "train --resume loop.h5"}) {
    const Result r = run_gibbs(command, dir.path);
    BOOST_TEST(r.status == 2, command);
    BOOST_TEST(r.out.empty(), command << ": " << r.out);
    BOOST_TEST(r.err == "gibbs: loop.h5: /state/loop links back to /state\n", command);
  }
  const Result root = run_gibbs("eval root.h5", dir.path);
  BOOST_TEST(root.status == 2);
  BOOST_TEST(root.err == "gibbs: root.h5: /state/train/up links back to /\n");
  BOOST_TEST(slurp(dir.path / "loop.h5") == loop);
  for (const char* output : {"k.png", "f.png", "r.png", "s.png", "e.h5", "p.csv"})
    BOOST_TEST(!fs::exists(dir.path / output), output);
}
