// gibbs.viz:plot — metric curves against epoch as a PNG (PLplot's pngcairo device, headless):
// one panel per metric, several runs overlaid in each, white background, a legend of runs.
module;
#include <filesystem>
#include <span>
#include <string>
#include <vector>
export module gibbs.viz:plot;

export namespace gibbs::viz {

// One curve: values[i] is the metric after epoch i + 1.
struct Series {
  std::string metric;  // the panel it is drawn in (its title)
  std::string run;     // the legend entry; one colour per run, the same in every panel
  std::vector<double> values;
  bool test = false;  // a test-split curve: dashed, in its run's colour, beside the training one
};

enum class LogScale {
  automatic,  // log y when every value in the panel is positive and max / min >= 100
  never,
  always,     // non-positive values are left out of the curve
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

// Points of one group (one colour, one legend entry): y[i] against x[i].
struct PointSet {
  std::string label;
  std::vector<double> x, y;
};
struct ScatterOptions {
  int width = 800, height = 800;
  std::string x_label, y_label, title;
  bool diagonal = false;  // equal axes and the dashed line y = x (predicted against true)
};
// A scatter plot of every set, written atomically as plot_curves is; a legend when there is
// more than one set or a label. No sets is an ArgumentError.
void plot_scatter(const std::filesystem::path& path, std::span<const PointSet> sets, const ScatterOptions& options = {});
}  // namespace gibbs::viz
