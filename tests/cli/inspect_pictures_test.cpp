// End-to-end tests of `gibbs inspect --filters` and `--curves`: the real binary draws pictures of
// checkpoints written by the library (decoded again with libpng here), and gives exit 2 and one
// stderr line when there is nothing to draw.
#define BOOST_TEST_MODULE cli_inspect_pictures
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/png_read.h"
#include "tests/support/run_gibbs.h"
import gibbs.io;

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

// W [784, 16]: hidden unit j's weights form a diagonal-ish stripe; two metrics × 5 epochs.
gibbs::io::Checkpoint rbm(double scale, bool with_w = true) {
  gibbs::io::Checkpoint c;
  c.model = "rbm";
  c.plugin_version = "0.1";
  if (with_w) {
    gibbs::io::Tensor w{{784, 16}, std::vector<float>(784 * 16)};
    for (std::size_t i = 0; i < 784; ++i)
      for (std::size_t j = 0; j < 16; ++j)
        w.values[i * 16 + j] = static_cast<float>(std::sin(0.05 * (i / 28) * (j + 1) + 0.1 * (i % 28)) * scale);
    c.params["W"] = w;
  }
  c.params["b"] = {{784}, std::vector<float>(784, 0.0f)};
  for (int e = 0; e < 5; ++e) {
    c.history["reconstruction_error"].push_back(scale * 40.0 / (1 + e));
    c.history["pseudo_likelihood"].push_back(-200.0 + scale * 10 * e);
  }
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(filters_draw_a_square_mosaic) {
  TempDir dir;
  gibbs::io::save_checkpoint(rbm(1.0), dir.path / "ckpt.h5");
  const Result r = run_gibbs("inspect ckpt.h5 --filters f.png", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.err.empty(), r.err);
  const Picture p = read_png(dir.path / "f.png");
  BOOST_TEST(p.colour_type == PNG_COLOR_TYPE_GRAY);
  // 16 units → 4 × 4 tiles of 28 × 28, each drawn at 2×, with 2-pixel separators.
  BOOST_TEST(p.width == 4u * 56 + 3 * 2);
  BOOST_TEST(p.height == p.width);
  const Result some = run_gibbs("inspect ckpt.h5 --filters g.png --tiles 3 --tile-shape 14x56", dir.path);
  BOOST_TEST(some.status == 0, some.err);
  const Picture q = read_png(dir.path / "g.png");
  BOOST_TEST(q.width == 2u * 56 + 2);  // 3 tiles: 2 per row, tiles 56 wide (upscale 1)
  BOOST_TEST(q.height == 2u * 14 + 2);
}

BOOST_AUTO_TEST_CASE(curves_overlay_several_checkpoints) {
  TempDir dir;
  gibbs::io::save_checkpoint(rbm(1.0), dir.path / "a.h5");
  gibbs::io::save_checkpoint(rbm(2.0), dir.path / "b.h5");
  const Result r = run_gibbs("inspect a.h5 b.h5 --curves c.png", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.err.empty(), r.err);
  BOOST_TEST(line_count(r.out) == 1u, r.out);
  const Picture p = read_png(dir.path / "c.png", PNG_FORMAT_RGB);
  BOOST_TEST(p.width == 1200u);
  BOOST_TEST(p.height == 800u);
}

BOOST_AUTO_TEST_CASE(curves_of_chosen_metrics_measured_at_some_epochs) {
  TempDir dir;
  for (const auto& [name, scale] : {std::pair{"a.h5", 1.0}, std::pair{"b.h5", 2.0}}) {
    gibbs::io::Checkpoint c = rbm(scale);
    // Measured after epochs 2 and 5 only, as gibbs train --log-likelihood-every 2 --epochs 5 records it.
    c.history["log_likelihood"] = {NAN, -120 * scale, NAN, NAN, -100 * scale};
    c.history["test_log_likelihood"] = {NAN, -121 * scale, NAN, NAN, -101 * scale};
    gibbs::io::save_checkpoint(c, dir.path / name);
  }
  const Result r = run_gibbs("inspect a.h5 b.h5 --curves c.png --metrics test_log_likelihood", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out == "c.png: 4 series from 2 files\n");
  BOOST_TEST(read_png(dir.path / "c.png", PNG_FORMAT_RGB).width == 1200u);
  const Result all = run_gibbs("inspect a.h5 --curves d.png", dir.path);
  BOOST_TEST(all.out == "d.png: 4 series from 1 file\n", all.out);

  const Result unknown = run_gibbs("inspect a.h5 --curves e.png --metrics log_likelihood,energy", dir.path);
  BOOST_TEST(unknown.status == 2);
  BOOST_TEST(unknown.err ==
             "gibbs: inspect: --metrics: no checkpoint has 'energy' (they have: log_likelihood, pseudo_likelihood, "
             "reconstruction_error)\n");
  BOOST_TEST(!fs::exists(dir.path / "e.png"));
  const Result alone = run_gibbs("inspect a.h5 --metrics log_likelihood", dir.path);
  BOOST_TEST(alone.status == 2);
  BOOST_TEST(alone.err == "gibbs: inspect: --metrics goes with --curves\n");
}

BOOST_AUTO_TEST_CASE(without_picture_options_inspect_is_unchanged) {
  TempDir dir;
  gibbs::io::save_checkpoint(rbm(1.0), dir.path / "a.h5");
  const Result r = run_gibbs("inspect a.h5", dir.path);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out.find("history (2 metrics)") != std::string::npos, r.out);
  const Result two = run_gibbs("inspect a.h5 a.h5", dir.path);
  BOOST_TEST(two.status == 2);
  BOOST_TEST(line_count(two.err) == 1u, two.err);
}

BOOST_AUTO_TEST_CASE(nothing_to_draw_is_exit_2_and_one_line) {
  TempDir dir;
  gibbs::io::save_checkpoint(rbm(1.0, false), dir.path / "no_w.h5");
  gibbs::io::save_checkpoint(rbm(1.0), dir.path / "ckpt.h5");
  auto bare = rbm(1.0);
  bare.history.clear();
  gibbs::io::save_checkpoint(bare, dir.path / "bare.h5");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"inspect no_w.h5 --filters f.png", "no parameter 'W'"},
      {"inspect ckpt.h5 --filters f.png --tile-shape 20x20", "784 visible units"},
      {"inspect ckpt.h5 --filters f.png --tile-shape 28by28", "not HEIGHTxWIDTH"},
      {"inspect ckpt.h5 --filters f.png --filter-param b", "shape [784]"},
      {"inspect bare.h5 --curves c.png", "no history"},
      {"inspect ckpt.h5 bare.h5 --curves c.png", "bare.h5 has no history"},
  };
  for (const auto& [args, message] : cases) {
    const Result r = run_gibbs(args, dir.path);
    BOOST_TEST(r.status == 2, args);
    BOOST_TEST(line_count(r.err) == 1u, args << ": " << r.err);
    BOOST_TEST(r.err.find(message) != std::string::npos, args << ": " << r.err);
    BOOST_TEST(!fs::exists(dir.path / "f.png"), args);
    BOOST_TEST(!fs::exists(dir.path / "c.png"), args);
  }
}
