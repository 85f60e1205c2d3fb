// gibbs.viz mosaics: written with write_png and decoded again by libpng in the test — size,
// separators, per-tile and fixed-range grey levels, upscaling, and the atomic write.
#define BOOST_TEST_MODULE viz_mosaic
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/png_read.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.viz;

namespace fs = std::filesystem;
using gibbs::test::read_png;
using gibbs::test::TempDir;

namespace {

// n tiles of 2×3 values; tile t holds t*10 + 0 … t*10 + 5.
gibbs::Matrix<float> ramps(std::size_t n) {
  gibbs::Matrix<float> m(n, 6);
  for (std::size_t t = 0; t < n; ++t)
    for (std::size_t i = 0; i < 6; ++i) m(t, i) = static_cast<float>(t * 10 + i);
  return m;
}

gibbs::viz::MosaicOptions small(gibbs::viz::Normalise normalise) {
  gibbs::viz::MosaicOptions o;
  o.tile_height = 2, o.tile_width = 3, o.normalise = normalise;
  o.separator_grey = 200, o.empty_grey = 100;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_CASE(per_tile_round_trip) {
  TempDir dir;
  const auto tiles = ramps(5);
  const auto mosaic = gibbs::viz::tile_rows(tiles.view(), 3, small(gibbs::viz::Normalise::per_tile));
  gibbs::viz::write_png(dir.path / "m.png", mosaic);
  const auto p = read_png(dir.path / "m.png");
  BOOST_TEST(p.bit_depth == 8);
  BOOST_TEST(p.colour_type == PNG_COLOR_TYPE_GRAY);
  BOOST_TEST(p.width == 3u * 3 + 2);  // 3 tiles and 2 separators across
  BOOST_TEST(p.height == 2u * 2 + 1);
  for (std::size_t t = 0; t < 5; ++t) {  // each tile spans 0 … 255 whatever its values
    const std::size_t y0 = (t / 3) * 3, x0 = (t % 3) * 4;
    BOOST_TEST(*p.at(y0, x0) == 0);
    BOOST_TEST(*p.at(y0 + 1, x0 + 2) == 255);
    BOOST_TEST(*p.at(y0, x0 + 1) == 51);  // 1/5 of the way
  }
  for (std::size_t y = 0; y < p.height; ++y) BOOST_TEST(*p.at(y, 3) == 200);  // separator columns
  for (std::size_t x = 0; x < p.width; ++x) BOOST_TEST(*p.at(2, x) == 200);   // separator row
  BOOST_TEST(*p.at(3, 8) == 100);                                             // the sixth cell holds no tile
}

BOOST_AUTO_TEST_CASE(fixed_range_clamps_and_upscales) {
  TempDir dir;
  gibbs::Matrix<float> tiles(2, 6);
  const float values[] = {0.0f, 0.5f, 1.0f, -3.0f, 7.0f, 0.25f};
  for (std::size_t i = 0; i < 6; ++i) tiles(0, i) = values[i], tiles(1, i) = 1.0f;
  auto o = small(gibbs::viz::Normalise::range);
  o.upscale = 3, o.separator = 2;
  gibbs::viz::write_png(dir.path / "r.png", gibbs::viz::tile_rows(tiles.view(), 2, o));
  const auto p = read_png(dir.path / "r.png");
  BOOST_TEST(p.width == 2u * 9 + 2);
  BOOST_TEST(p.height == 6u);
  const int expected[] = {0, 128, 255, 0, 255, 64};
  for (std::size_t i = 0; i < 6; ++i)
    for (std::size_t dy = 0; dy < 3; ++dy)
      for (std::size_t dx = 0; dx < 3; ++dx) BOOST_TEST(*p.at((i / 3) * 3 + dy, (i % 3) * 3 + dx) == expected[i]);
  BOOST_TEST(*p.at(0, 9) == 200);
  BOOST_TEST(*p.at(5, 10) == 200);
  BOOST_TEST(*p.at(0, 11) == 255);  // the second tile, all ones
}

BOOST_AUTO_TEST_CASE(grid_rows_stack_matrices) {
  const auto originals = ramps(4), reconstructions = ramps(2);
  const gibbs::ConstView<float> rows[] = {originals.view(), reconstructions.view()};
  const auto m = gibbs::viz::tile_grid(rows, small(gibbs::viz::Normalise::per_tile));
  BOOST_TEST(m.width() == 4u * 3 + 3);
  BOOST_TEST(m.height() == 2u * 2 + 1);
  BOOST_TEST(m.at(4, 6) == 255);   // second grid row, second tile, its maximum
  BOOST_TEST(m.at(4, 14) == 100);  // second grid row is shorter: empty cells
}

BOOST_AUTO_TEST_CASE(wrong_tile_size_is_a_shape_error) {
  gibbs::Matrix<float> tiles(2, 5);
  BOOST_CHECK_THROW(gibbs::viz::tile_rows(tiles.view(), 2, small(gibbs::viz::Normalise::range)), gibbs::ShapeError);
}

BOOST_AUTO_TEST_CASE(atomic_write_leaves_no_temporary_file) {
  TempDir dir;
  const auto tiles = ramps(3);
  gibbs::viz::write_png(dir.path / "a.png",
                        gibbs::viz::tile_rows(tiles.view(), 3, small(gibbs::viz::Normalise::range)));
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.path)) names.push_back(entry.path().filename().string());
  BOOST_TEST(names == std::vector<std::string>{"a.png"});
}

BOOST_AUTO_TEST_CASE(failed_write_names_the_file_and_keeps_the_old_one) {
  TempDir dir;
  const auto target = dir.path / "keep.png";
  std::ofstream(target) << "old";
  // The temporary file's name is taken by a folder (this works as root, unlike chmod).
  fs::create_directory(dir.path / ("keep.png.tmp-" + std::to_string(getpid())));
  const auto tiles = ramps(1);
  try {
    gibbs::viz::write_png(target, gibbs::viz::tile_rows(tiles.view(), 1, small(gibbs::viz::Normalise::range)));
    BOOST_FAIL("no IoError");
  } catch (const gibbs::IoError& e) {
    BOOST_TEST(std::string(e.what()).find(target.string()) != std::string::npos, e.what());
  }
  BOOST_TEST(gibbs::test::slurp(target) == "old");
  BOOST_CHECK_THROW(gibbs::viz::write_png(dir.path / "no" / "such.png",
                                          gibbs::viz::tile_rows(tiles.view(), 1, small(gibbs::viz::Normalise::range))),
                    gibbs::IoError);
}
