// gibbs.viz curves: plot_curves writes a PNG of the requested size, on a white background with
// something drawn on it, silently, atomically; plot_figures draws figures side by side, each
// with its points; bad requests are errors.
#define BOOST_TEST_MODULE viz_plot
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
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

std::vector<gibbs::viz::Series> two_runs() {
  std::vector<gibbs::viz::Series> s;
  for (const std::string run : {"cd1.h5", "pcd15.h5"}) {
    std::vector<double> error, free_energy;
    for (int e = 0; e < 20; ++e) {
      error.push_back((run == "cd1.h5" ? 50.0 : 30.0) / (1 + e * e));
      free_energy.push_back(-100.0 + e * (run == "cd1.h5" ? 2.0 : 3.0));
    }
    s.push_back({"reconstruction_error", run, error});
    s.push_back({"free_energy", run, free_energy});
  }
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(writes_a_png_of_the_requested_size) {
  TempDir dir;
  const auto series = two_runs();
  gibbs::viz::plot_curves(dir.path / "c.png", series, {.width = 900, .height = 500});
  const auto p = read_png(dir.path / "c.png", PNG_FORMAT_RGB);
  BOOST_TEST(p.width == 900u);
  BOOST_TEST(p.height == 500u);
  std::size_t white = 0, coloured = 0, dark = 0;
  for (std::size_t y = 0; y < p.height; ++y)
    for (std::size_t x = 0; x < p.width; ++x) {
      const std::uint8_t* px = p.at(y, x);
      if (px[0] == 255 && px[1] == 255 && px[2] == 255) ++white;
      if (px[0] < 60 && px[1] < 60 && px[2] < 60) ++dark;  // axes and labels
      if (px[2] > px[0] + 80) ++coloured;                  // the blue first run
    }
  const std::size_t all = p.width * p.height;
  BOOST_TEST(white > all / 2, white << " of " << all);
  BOOST_TEST(*p.at(0, 0) == 255);  // corners are background
  BOOST_TEST(*p.at(p.height - 1, p.width - 1) == 255);
  BOOST_TEST(dark > 1000u, dark);
  BOOST_TEST(coloured > 200u, coloured);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.path)) names.push_back(entry.path().filename().string());
  BOOST_TEST(names == std::vector<std::string>{"c.png"});
}

BOOST_AUTO_TEST_CASE(short_and_flat_series_still_draw) {
  TempDir dir;
  const std::vector<gibbs::viz::Series> series = {{"loss", "a", {1.0}}, {"loss", "b", {2.0, 2.0}}, {"empty", "a", {}}};
  gibbs::viz::plot_curves(dir.path / "s.png", series,
                          {.width = 400, .height = 300, .log_y = gibbs::viz::LogScale::always});
  BOOST_TEST(read_png(dir.path / "s.png", PNG_FORMAT_RGB).width == 400u);
}

// A blue cloud on the left, an orange one on the right, each with its legend outside the panel.
BOOST_AUTO_TEST_CASE(figures_side_by_side_each_hold_their_points) {
  TempDir dir;
  std::vector<gibbs::viz::Figure> figures(2);
  for (std::size_t f = 0; f < 2; ++f) {
    gibbs::viz::Points cloud{{}, {}, static_cast<int>(f), f == 0 ? "blue" : "orange", gibbs::viz::Marker::dot, 0.5};
    for (int i = 0; i < 400; ++i) cloud.x.push_back(0.1 + 0.8 * ((i * 37) % 400) / 400.0), cloud.y.push_back(0.5);
    figures[f].points.push_back(cloud);
    figures[f].legend = gibbs::viz::Legend::outside;
    figures[f].title = f == 0 ? "left" : "right";
  }
  gibbs::viz::plot_figures(dir.path / "f.png", figures, 1000, 400);
  const auto p = read_png(dir.path / "f.png", PNG_FORMAT_RGB);
  BOOST_TEST(p.width == 1000u);
  BOOST_TEST(p.height == 400u);
  std::size_t blue[2] = {}, orange[2] = {};
  for (std::size_t y = 0; y < p.height; ++y)
    for (std::size_t x = 0; x < p.width; ++x) {
      const std::uint8_t* px = p.at(y, x);
      if (px[2] > px[0] + 80) ++blue[x >= p.width / 2];
      if (px[0] > px[2] + 120 && px[1] > 80) ++orange[x >= p.width / 2];
    }
  BOOST_TEST(blue[0] > 500u, blue[0]);
  BOOST_TEST(blue[1] == 0u, blue[1]);
  BOOST_TEST(orange[0] == 0u, orange[0]);
  BOOST_TEST(orange[1] > 500u, orange[1]);
  BOOST_CHECK_THROW(gibbs::viz::plot_figures(dir.path / "g.png", std::vector<gibbs::viz::Figure>{}, 800, 400),
                    gibbs::ArgumentError);
  BOOST_TEST(!fs::exists(dir.path / "g.png"));
}

BOOST_AUTO_TEST_CASE(bad_requests_are_errors) {
  TempDir dir;
  BOOST_CHECK_THROW(gibbs::viz::plot_curves(dir.path / "x.png", std::vector<gibbs::viz::Series>{}),
                    gibbs::ArgumentError);
  const auto series = two_runs();
  BOOST_CHECK_THROW(gibbs::viz::plot_curves(dir.path / "missing" / "x.png", series), gibbs::IoError);
  BOOST_TEST(!fs::exists(dir.path / "x.png"));
}
