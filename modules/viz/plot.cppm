// gibbs.viz:plot — metric curves against epoch as a PNG (PLplot's pngcairo device, headless):
// one panel per metric, several runs overlaid in each, white background, a legend of runs; and
// figures of lines, points and a contour (a capacity curve, a decision boundary, codes), one
// panel or several side by side.
module;
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>
export module gibbs.viz:plot;

export namespace gibbs::viz {

// One curve: values[i] is the metric after epoch i + 1 (NaN: not measured then; the curve joins
// the measured points, each drawn as a dot).
struct Series {
  std::string metric;  // the panel it is drawn in (its title)
  std::string run;     // the legend entry; one colour per run, the same in every panel
  std::vector<double> values;
  bool test = false;  // a test-split curve: dashed, in its run's colour, beside the training one
};

enum class LogScale {
  automatic,  // log y when every value in the panel is positive and max / min >= 100
  never,
  always,  // non-positive values are left out of the curve
};

struct PlotOptions {
  int width = 1200, height = 800;  // pixels of the whole picture
  LogScale log_y = LogScale::automatic;
  std::string x_label = "epoch";
};

// Panels in order of each metric's first appearance, laid out in a near-square grid. Written
// atomically; a failure is an IoError naming `path` (nothing written). PLplot prints nothing.
// Series with no values are drawn as legend entries only; no series at all is an ArgumentError.
void plot_curves(const std::filesystem::path& path, std::span<const Series> series, const PlotOptions& options = {});

// A one-panel figure. Colours index the palette of the curves (0 blue, 1 orange, 2 green, 3 red,
// ...); entries with a label go into the legend (top right, inside the panel).
struct Line {
  std::vector<double> x, y;
  int colour = 0;
  bool dashed = false;
  std::string label;
};
enum class Marker {
  star,  // a small asterisk
  dot,   // a filled disc: for thousands of points
};
struct Points {
  std::vector<double> x, y;
  int colour = 0;
  std::string label;
  Marker marker = Marker::star;
  double size = 1.6;  // the markers' size, as a scale of PLplot's characters
};
// The level curve of values on a regular grid: values[j·nx + i] at (x0 + i·(x1 − x0)/(nx − 1),
// y0 + j·(y1 − y0)/(ny − 1)) of the figure's window, interpolated linearly between nodes.
struct Contour {
  std::size_t nx = 0, ny = 0;
  std::vector<double> values;
  double level = 0;
  int colour = 0;
  std::string label;
};
enum class Legend {
  inside,   // top right, inside the panel
  outside,  // to the right of the panel (the panel narrows to make room): nothing under it is hidden
};
struct Figure {
  std::string title, x_label, y_label;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;  // the window
  std::vector<Line> lines;
  std::vector<Points> points;
  std::optional<Contour> contour;
  int width = 800, height = 600;
  Legend legend = Legend::inside;
};

// Written atomically; errors as plot_curves's (an empty window or grid is an ArgumentError).
void plot_figure(const std::filesystem::path& path, const Figure& figure);

// Several figures in one picture of width × height pixels, in rows of `columns` (0: one row), each
// figure's own width and height not used; errors as plot_figure's, and no figure is an ArgumentError.
void plot_figures(const std::filesystem::path& path, std::span<const Figure> figures, int width, int height,
                  std::size_t columns = 0);

}  // namespace gibbs::viz
