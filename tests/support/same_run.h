// Checks the CLI suites share: two checkpoints of the same run, and an error a user meets.
#pragma once

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <string>

#include "tests/support/run_gibbs.h"
import gibbs.io;

namespace gibbs::test {

// Equal except for wall-clock measurements (seconds, images_per_second) and `created`.
inline void check_same_run(const std::filesystem::path& a_path, const std::filesystem::path& b_path) {
  const io::Checkpoint a = io::load_checkpoint(a_path), b = io::load_checkpoint(b_path);
  BOOST_TEST(a.model == b.model);
  BOOST_TEST(a.seed == b.seed);
  BOOST_TEST((a.config == b.config));
  BOOST_TEST((a.counters == b.counters));
  BOOST_TEST(a.params.size() == b.params.size());
  for (const auto& [name, t] : a.params) BOOST_TEST((b.params.contains(name) && b.params.at(name) == t), name);
  BOOST_TEST(a.state.size() == b.state.size());
  for (const auto& [name, t] : a.state) BOOST_TEST((b.state.contains(name) && b.state.at(name) == t), name);
  BOOST_TEST(a.history.size() == b.history.size());
  for (const auto& [name, values] : a.history) {
    BOOST_REQUIRE_MESSAGE(b.history.contains(name), name);
    BOOST_TEST(values.size() == b.history.at(name).size(), name);
    // Bit for bit: a series measured only at some epochs holds NaN at the others.
    const auto same_bits = [](double x, double y) {
      return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
    };
    if (name != "seconds" && name != "images_per_second")
      BOOST_TEST(std::ranges::equal(values, b.history.at(name), same_bits), name);
  }
}

// Exit status 2, exactly `line` after "gibbs: " on stderr, and dir/not_written not created.
inline void check_error(const Result& r, const std::string& line, const std::filesystem::path& dir,
                        const std::filesystem::path& not_written) {
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.err == "gibbs: " + line + "\n");
  BOOST_TEST(!std::filesystem::exists(dir / not_written));
}

}  // namespace gibbs::test
