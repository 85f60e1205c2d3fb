// gibbs.io:checkpoint — round trips bit for bit, identical bytes for identical content, checks
// on load (link cycles too), and a save killed between write and rename that leaves the previous
// file intact, its temporary file removed by the next save.
#define BOOST_TEST_MODULE checkpoint
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "tests/io/bad_corpus.h"
#include "tests/support/h5_links.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
namespace io = gibbs::io;

namespace {

using namespace gibbs::test;

io::Tensor tensor(std::vector<std::size_t> shape, float start) {
  io::Tensor t{shape, {}};
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  for (std::size_t i = 0; i < n; ++i) t.values.push_back(start + 0.001f * static_cast<float>(i * i));
  return t;
}

io::Checkpoint sample(float start) {
  io::Checkpoint c;
  c.model = "rbm";
  c.plugin_version = "0.1.0";
  c.engine_version = "0.1.0";
  c.simd_target = "AVX2";
  c.created = "2026-01-31T12:00:00Z";
  c.seed = 0xfedcba9876543210u;
  c.config = {{"visible", std::int64_t{784}}, {"learning_rate", 0.01}, {"visible_units", std::string("bernoulli")}};
  c.params["W"] = tensor({784, 50}, start);
  c.params["W"].values[3] = -0.0f;
  c.params["W"].values[4] = std::numeric_limits<float>::denorm_min();
  c.params["visible_bias"] = tensor({784}, -start);
  c.params["temperature"] = tensor({}, 1.5f);
  c.state["optimizer/velocity_W"] = tensor({784, 50}, 2 * start);
  c.state["chains/visible"] = tensor({20, 784}, 0.5f);
  c.counters["rng/counter"] = std::numeric_limits<std::uint64_t>::max() - 1;
  c.counters["optimizer/step"] = 4700;
  c.history["epoch"] = {1, 2, 3};
  c.history["reconstruction_mse"] = {0.1, 0.05, 1.0 / 3};
  return c;
}

void expect_same(const io::Checkpoint& a, const io::Checkpoint& b) {
  BOOST_TEST(a.model == b.model);
  BOOST_TEST(a.plugin_version == b.plugin_version);
  BOOST_TEST(a.engine_version == b.engine_version);
  BOOST_TEST(a.simd_target == b.simd_target);
  BOOST_TEST(a.created == b.created);
  BOOST_TEST(a.seed == b.seed);
  BOOST_TEST((a.config == b.config));
  BOOST_TEST((a.counters == b.counters));
  BOOST_TEST((a.history == b.history));
  for (const auto* maps : {&a.params, &a.state}) {
    const auto& other = maps == &a.params ? b.params : b.state;
    BOOST_REQUIRE(maps->size() == other.size());
    for (const auto& [name, t] : *maps) {
      BOOST_REQUIRE_MESSAGE(other.contains(name), name);
      const io::Tensor& u = other.at(name);
      BOOST_TEST(t.shape == u.shape, boost::test_tools::per_element());
      BOOST_REQUIRE(t.values.size() == u.values.size());
      BOOST_TEST(std::memcmp(t.values.data(), u.values.data(), t.values.size() * sizeof(float)) == 0, name);
    }
  }
}

std::string bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool mentions(const std::exception& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_bit_for_bit) {
  TempDir dir;
  const io::Checkpoint c = sample(0.25f);
  io::save_checkpoint(c, dir.path / "c.h5");
  expect_same(io::load_checkpoint(dir.path / "c.h5"), c);
  BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);  // no temporary left
}

BOOST_AUTO_TEST_CASE(same_content_same_bytes_and_defaults_filled) {
  TempDir dir;
  io::save_checkpoint(sample(1), dir.path / "a.h5");
  io::save_checkpoint(sample(1), dir.path / "b.h5");
  BOOST_TEST((bytes(dir.path / "a.h5") == bytes(dir.path / "b.h5")));
  io::Checkpoint bare;
  bare.model = "perceptron";
  io::save_checkpoint(bare, dir.path / "bare.h5");
  const io::Checkpoint back = io::load_checkpoint(dir.path / "bare.h5");
  BOOST_TEST(!back.engine_version.empty());
  BOOST_TEST(back.simd_target.empty());    // not recorded, as in a checkpoint from before it was
  BOOST_TEST(back.created.size() == 20u);  // 2026-01-31T12:00:00Z
  BOOST_TEST(back.created.ends_with("Z"));
}

BOOST_AUTO_TEST_CASE(bad_checkpoints_are_refused) {
  TempDir dir;
  const fs::path path = dir.path / "c.h5";
  io::save_checkpoint(sample(1), path);
  const std::string before = bytes(path);
  io::Checkpoint nan = sample(2);
  nan.params["W"].values[7] = std::numeric_limits<float>::quiet_NaN();
  BOOST_CHECK_THROW(io::save_checkpoint(nan, path), gibbs::ArgumentError);
  io::Checkpoint wrong = sample(2);
  wrong.params["W"].shape = {784, 49};
  BOOST_CHECK_THROW(io::save_checkpoint(wrong, path), gibbs::ArgumentError);
  BOOST_TEST((bytes(path) == before));
  BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);

  std::size_t checked = 0;
  for (const gibbs::test::BadFile& bad : gibbs::test::write_bad_corpus(dir.path / "bad")) {
    if (bad.kind != "checkpoint") continue;
    ++checked;
    const fs::path file = dir.path / "bad" / bad.name;
    BOOST_CHECK_EXCEPTION(io::load_checkpoint(file), gibbs::FormatError, [&](const gibbs::FormatError& e) {
      return mentions(e, file.string() + ": ") && mentions(e, bad.problem);
    });
  }
  BOOST_TEST(checked == 3u);
  BOOST_CHECK_EXCEPTION(
      io::load_checkpoint(dir.path / "bad" / "future-checkpoint.h5"), gibbs::FormatError,
      [](const gibbs::FormatError& e) { return mentions(e, "future-checkpoint.h5: format_version 99 is newer"); });
  BOOST_CHECK_EXCEPTION(io::load_checkpoint(dir.path / "bad" / "good.h5"), gibbs::FormatError,
                        [](const gibbs::FormatError& e) {
                          return mentions(e, "good.h5: not a gibbs checkpoint (format 'gibbs-dataset')");
                        });
  BOOST_CHECK_EXCEPTION(io::load_checkpoint(dir.path / "bad" / "text.h5"), gibbs::FormatError,
                        [](const gibbs::FormatError& e) { return mentions(e, "text.h5: not an HDF5 file"); });
}

BOOST_AUTO_TEST_CASE(killed_between_write_and_rename_keeps_the_previous_checkpoint) {
  TempDir dir;
  const fs::path path = dir.path / "c.h5";
  const io::Checkpoint first = sample(1), second = sample(5);
  io::save_checkpoint(first, path);
  const std::string before = bytes(path);
  const pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    setenv("GIBBS_TEST_KILL_BEFORE_RENAME", "1", 1);
    try {
      io::save_checkpoint(second, path);
    } catch (...) {
    }
    _exit(0);  // not reached when the hook works
  }
  int status = 0;
  BOOST_REQUIRE(waitpid(child, &status, 0) == child);
  BOOST_TEST(WIFSIGNALED(status));
  BOOST_TEST(WTERMSIG(status) == SIGKILL);
  BOOST_TEST((bytes(path) == before));
  expect_same(io::load_checkpoint(path), first);
  // The new checkpoint was complete on disk, only not yet renamed into place.
  const fs::path temporary = fs::path(path.string() + ".tmp-" + std::to_string(child));
  BOOST_REQUIRE(fs::exists(temporary));
  expect_same(io::load_checkpoint(temporary), second);
}

BOOST_AUTO_TEST_CASE(the_next_save_removes_the_temporary_file_of_a_killed_one) {
  TempDir dir;
  const fs::path path = dir.path / "c.h5";
  io::save_checkpoint(sample(1), path);
  for (int kill = 0; kill < 3; ++kill) {
    const pid_t child = fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
      setenv("GIBBS_TEST_KILL_BEFORE_RENAME", "1", 1);
      try {
        io::save_checkpoint(sample(5), path);
      } catch (...) {
      }
      _exit(0);
    }
    int status = 0;
    BOOST_REQUIRE(waitpid(child, &status, 0) == child);
    // Each killed save removed its predecessor's temporary file: one is left at most.
    BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 2);
    BOOST_TEST(fs::exists(path.string() + ".tmp-" + std::to_string(child)));
  }
  io::save_checkpoint(sample(5), path);
  BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
  expect_same(io::load_checkpoint(path), sample(5));
}

// Issue 14: a hard link back to a group above it made every command recurse until bad_alloc (or a
// stack overflow); each object is now read once, by its address.
BOOST_AUTO_TEST_CASE(link_cycles_and_second_links_are_format_errors_naming_both_paths) {
  TempDir dir;
  struct Case {
    std::string target, link;
    bool soft;
    std::string problem;
  };
  const std::vector<Case> cases{
      {"/state", "/state/loop", false, "/state/loop links back to /state"},
      {"/state", "/state/chains/up", false, "/state/chains/up links back to /state"},
      {"/", "/state/root", false, "/state/root links back to /"},
      {"/state", "/state/optimizer/soft", true, "/state/optimizer/soft links back to /state"},
      {"/params/W", "/state/copy", false, "/state/copy is a second link to /params/W"},
      {"/state/chains", "/state/zz", false, "/state/zz is a second link to /state/chains"},
  };
  int n = 0;
  for (const Case& c : cases) {
    const fs::path file = dir.path / ("cycle" + std::to_string(n++) + ".h5");
    io::save_checkpoint(sample(1), file);
    add_h5_link(file, c.target, c.link, c.soft);
    BOOST_CHECK_EXCEPTION(io::load_checkpoint(file), gibbs::FormatError, [&](const gibbs::FormatError& e) {
      BOOST_TEST(std::string(e.what()) == file.string() + ": " + c.problem);
      return true;
    });
  }
}
