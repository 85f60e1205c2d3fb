// gibbs.viz:plot — PLplot (pngcairo) into an AtomicFile; one global PLplot session at a time.
module;
#include <plplot.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>
module gibbs.viz;
import gibbs.core;
import gibbs.io;

namespace gibbs::viz {
namespace {

constexpr int kWhite = 0, kBlack = 1, kGrid = 2, kFirstRun = 3;
// Tableau 10: distinct, readable on white, and what matplotlib users expect.
constexpr int kPalette[][3] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
                               {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
constexpr int kColours = sizeof kPalette / sizeof kPalette[0];

std::string g_abort;  // the last plabort message of the current plot (guarded by the mutex)
void record_abort(const char* message) { g_abort = message; }

template <class T>
std::size_t index_of(std::vector<T>& list, const T& value) {
  const auto it = std::find(list.begin(), list.end(), value);
  if (it != list.end()) return static_cast<std::size_t>(it - list.begin());
  list.push_back(value);
  return list.size() - 1;
}

struct Panel {
  std::string metric;
  std::vector<const Series*> curves;
};

// [lo, hi] with a margin; a flat range is widened so that PLplot accepts it.
void pad(double& lo, double& hi) {
  if (hi <= lo) {
    const double d = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= d, hi += d;
    return;
  }
  const double m = (hi - lo) * 0.05;
  lo -= m, hi += m;
}

bool use_log(const Panel& panel, LogScale option) {
  if (option != LogScale::automatic) return option == LogScale::always;
  double lo = INFINITY, hi = 0;
  for (const Series* s : panel.curves)
    for (const double v : s->values) {
      if (std::isnan(v)) continue;  // not measured at that epoch
      if (!(v > 0)) return false;
      lo = std::min(lo, v), hi = std::max(hi, v);
    }
  return hi > 0 && hi / lo >= 100;
}

void draw_panel(const Panel& panel, const std::vector<std::string>& runs, const PlotOptions& options) {
  const bool log = use_log(panel, options.log_y);
  std::size_t epochs = 1;
  double lo = INFINITY, hi = -INFINITY;
  std::vector<std::vector<PLFLT>> xs(panel.curves.size()), ys(panel.curves.size());
  for (std::size_t k = 0; k < panel.curves.size(); ++k) {
    const auto& values = panel.curves[k]->values;
    epochs = std::max(epochs, values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i]) || (log && !(values[i] > 0))) continue;
      xs[k].push_back(static_cast<PLFLT>(i + 1));
      ys[k].push_back(log ? std::log10(values[i]) : values[i]);
      lo = std::min(lo, ys[k].back()), hi = std::max(hi, ys[k].back());
    }
  }
  if (lo > hi) lo = 0, hi = 1;
  pad(lo, hi);
  double x0 = 1, x1 = static_cast<double>(std::max<std::size_t>(epochs, 2));
  if (epochs <= 2) x0 -= 0.5, x1 += 0.5;

  pladv(0);
  // The legend goes to the right, outside the curves: room for its longest entry (PLplot's
  // characters scale with the panel, about 3% of its width each).
  std::size_t longest = std::string_view("test split").size();
  for (const Series* s : panel.curves) longest = std::max(longest, s->run.size());
  const double right = std::clamp(0.97 - 0.03 * static_cast<double>(longest + 1), 0.45, 0.74);
  plvpor(0.15, right, 0.14, 0.88);
  plwind(x0, x1, lo, hi);
  const std::string y_axis = log ? "bcnstvl" : "bcnstv";
  const double x_tick = x1 - x0 <= 10 ? 1 : 0;  // whole epochs when there are few
  plcol0(kGrid);
  plwidth(1);
  plbox("g", x_tick, 0, log ? "gl" : "g", 0, 0);
  plcol0(kBlack);
  plbox("bcnst", x_tick, 0, y_axis.c_str(), 0, 0);
  pllab(options.x_label.c_str(), "", panel.metric.c_str());

  std::vector<PLINT> opts, text_colours, colours, styles;
  std::vector<PLFLT> widths;
  std::vector<const char*> texts;
  bool any_test = false;
  for (std::size_t k = 0; k < panel.curves.size(); ++k) {
    const auto run = std::find(runs.begin(), runs.end(), panel.curves[k]->run) - runs.begin();
    const PLINT colour = kFirstRun + static_cast<PLINT>(run % kColours);
    const PLINT style = panel.curves[k]->test ? 2 : 1;  // 2: dashed
    plcol0(colour);
    plwidth(2.5);
    pllsty(style);
    const auto n = static_cast<PLINT>(xs[k].size());
    if (n > 1) plline(n, xs[k].data(), ys[k].data());
    // A series measured at some epochs only (NaN between) gets a dot at each measurement.
    if (n == 1 || static_cast<std::size_t>(n) < panel.curves[k]->values.size())
      plstring(n, xs[k].data(), ys[k].data(), "#(728)");  // a filled dot
    pllsty(1);
    if (panel.curves[k]->test) {
      any_test = true;
      continue;
    }
    opts.push_back(PL_LEGEND_LINE), text_colours.push_back(kBlack), colours.push_back(colour);
    styles.push_back(1), widths.push_back(2.5), texts.push_back(panel.curves[k]->run.c_str());
  }
  if (any_test) {  // one entry for the line style, not one per run
    opts.push_back(PL_LEGEND_LINE), text_colours.push_back(kBlack), colours.push_back(kBlack);
    styles.push_back(2), widths.push_back(1.5), texts.push_back("test split");
  }
  PLFLT legend_width = 0, legend_height = 0;
  const PLINT position = PL_POSITION_OUTSIDE | PL_POSITION_RIGHT;  // centred beside the panel
  plwidth(1);
  pllegend(&legend_width, &legend_height, PL_LEGEND_BACKGROUND, position, 0.02, 0.0, 0.06, kWhite, kBlack, 1, 0, 0,
           static_cast<PLINT>(texts.size()), opts.data(), 1.0, 0.8, 2.0, 0.0, text_colours.data(), texts.data(),
           nullptr, nullptr, nullptr, nullptr, colours.data(), styles.data(), widths.data(), nullptr, nullptr, nullptr,
           nullptr);
}

// One PLplot session into an AtomicFile at `path`: the palette on white, `columns` × `rows`
// subpages, then draw(); a PLplot abort or an empty file is an IoError and nothing is written.
template <class Draw>
void draw_png(const std::filesystem::path& path, int width, int height, PLINT columns, PLINT rows, const Draw& draw) {
  io::AtomicFile file(path);
  static std::mutex plplot;  // PLplot keeps its state in globals
  const std::lock_guard lock(plplot);
  g_abort.clear();
  plsabort(record_abort);
  plsdev("pngcairo");
  plsfnam(file.temporary().c_str());
  plspage(0, 0, width, height, 0, 0);
  plscolbg(255, 255, 255);
  plscol0(kWhite, 255, 255, 255);
  plscol0(kBlack, 0, 0, 0);
  plscol0(kGrid, 225, 225, 225);
  for (int i = 0; i < kColours; ++i) plscol0(kFirstRun + i, kPalette[i][0], kPalette[i][1], kPalette[i][2]);
  plssub(columns, rows);
  plinit();
  plfontld(1);
  draw();
  plend();
  plsabort(nullptr);
  if (!g_abort.empty()) throw IoError(path.string(), "PLplot: " + g_abort);
  std::error_code ec;
  if (std::filesystem::file_size(file.temporary(), ec) == 0 || ec)
    throw IoError(path.string(), "PLplot wrote no picture");
  file.commit();
}

// Hershey glyphs: 728 an asterisk, 850 a filled disc.
const char* glyph(Marker marker) { return marker == Marker::dot ? "#(850)" : "#(728)"; }

PLINT colour_of(int colour) { return kFirstRun + static_cast<PLINT>(((colour % kColours) + kColours) % kColours); }

void draw_figure(const Figure& f) {
  pladv(0);
  // An outside legend gets room for its longest entry (characters are about 3% of the width).
  std::size_t longest = 0;
  for (const Points& p : f.points) longest = std::max(longest, p.label.size());
  for (const Line& l : f.lines) longest = std::max(longest, l.label.size());
  if (f.contour) longest = std::max(longest, f.contour->label.size());
  const double right =
      f.legend == Legend::outside ? std::clamp(0.95 - 0.03 * static_cast<double>(longest + 4), 0.5, 0.85) : 0.95;
  plvpor(0.15, right, 0.12, 0.9);  // room on the left for tick labels such as -10 and the y label
  plwind(f.x0, f.x1, f.y0, f.y1);
  plcol0(kGrid);
  plwidth(1);
  plbox("g", 0, 0, "g", 0, 0);
  plcol0(kBlack);
  plbox("bcnst", 0, 0, "bcnstv", 0, 0);
  pllab(f.x_label.c_str(), f.y_label.c_str(), f.title.c_str());
  std::vector<PLINT> opts, text_colours, colours, styles, symbol_colours, symbol_numbers;
  std::vector<PLFLT> widths, symbol_scales;
  std::vector<const char*> texts, symbols;
  const auto legend = [&](const std::string& label, PLINT opt, PLINT colour, PLINT style,
                          Marker marker = Marker::star) {
    if (label.empty()) return;
    opts.push_back(opt), text_colours.push_back(kBlack), colours.push_back(colour), styles.push_back(style);
    widths.push_back(2.5), symbol_colours.push_back(colour), symbol_numbers.push_back(1);
    symbol_scales.push_back(marker == Marker::dot ? 2.5 : 1.2);
    texts.push_back(label.c_str()), symbols.push_back(glyph(marker));
  };
  if (f.contour) {
    const Contour& c = *f.contour;
    std::vector<PLFLT> xg(c.nx), yg(c.ny);
    for (std::size_t i = 0; i < c.nx; ++i)
      xg[i] = f.x0 + (f.x1 - f.x0) * static_cast<double>(i) / static_cast<double>(c.nx - 1);
    for (std::size_t j = 0; j < c.ny; ++j)
      yg[j] = f.y0 + (f.y1 - f.y0) * static_cast<double>(j) / static_cast<double>(c.ny - 1);
    std::vector<std::vector<PLFLT>> columns(c.nx, std::vector<PLFLT>(c.ny));  // PLplot's f[x][y]
    std::vector<const PLFLT*> rows(c.nx);
    for (std::size_t i = 0; i < c.nx; ++i) {
      for (std::size_t j = 0; j < c.ny; ++j) columns[i][j] = c.values[j * c.nx + i];
      rows[i] = columns[i].data();
    }
    PLcGrid grid{xg.data(), yg.data(), nullptr, static_cast<PLINT>(c.nx), static_cast<PLINT>(c.ny), 0};
    PLFLT level = c.level;
    plcol0(colour_of(c.colour));
    plwidth(2.5);
    plcont(rows.data(), static_cast<PLINT>(c.nx), static_cast<PLINT>(c.ny), 1, static_cast<PLINT>(c.nx), 1,
           static_cast<PLINT>(c.ny), &level, 1, pltr1, &grid);
    legend(c.label, PL_LEGEND_LINE, colour_of(c.colour), 1);
  }
  for (const Line& line : f.lines) {
    plcol0(colour_of(line.colour));
    plwidth(2.5);
    pllsty(line.dashed ? 2 : 1);
    std::vector<PLFLT> x(line.x.begin(), line.x.end()), y(line.y.begin(), line.y.end());
    if (x.size() > 1) plline(static_cast<PLINT>(x.size()), x.data(), y.data());
    pllsty(1);
    legend(line.label, PL_LEGEND_LINE, colour_of(line.colour), line.dashed ? 2 : 1);
  }
  for (const Points& p : f.points) {
    plcol0(colour_of(p.colour));
    std::vector<PLFLT> x(p.x.begin(), p.x.end()), y(p.y.begin(), p.y.end());
    PLFLT default_height = 0, height = 0;  // of characters, in mm: restored after the markers
    plgchr(&default_height, &height);
    plschr(0, p.size);
    if (!x.empty()) plstring(static_cast<PLINT>(x.size()), x.data(), y.data(), glyph(p.marker));
    plschr(0, height / default_height);
    legend(p.label, PL_LEGEND_SYMBOL, colour_of(p.colour), 1, p.marker);
  }
  if (texts.empty()) return;
  PLFLT legend_width = 0, legend_height = 0;
  plwidth(1);
  const bool inside = f.legend == Legend::inside;
  pllegend(&legend_width, &legend_height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
           inside ? PL_POSITION_INSIDE | PL_POSITION_TOP | PL_POSITION_RIGHT : PL_POSITION_OUTSIDE | PL_POSITION_RIGHT,
           0.02, inside ? 0.02 : 0.0, 0.08, kWhite, kBlack, 1, 0, 0, static_cast<PLINT>(texts.size()), opts.data(), 1.0,
           0.8, 2.0, 0.0, text_colours.data(), texts.data(), nullptr, nullptr, nullptr, nullptr, colours.data(),
           styles.data(), widths.data(), symbol_colours.data(), symbol_scales.data(), symbol_numbers.data(),
           symbols.data());
}

}  // namespace

void plot_curves(const std::filesystem::path& path, std::span<const Series> series, const PlotOptions& options) {
  if (series.empty()) throw ArgumentError("plot_curves: no series to draw");
  if (options.width < 100 || options.height < 100)
    throw ArgumentError("plot_curves: a picture of at least 100×100 pixels");
  std::vector<Panel> panels;
  std::vector<std::string> metrics, runs;
  for (const Series& s : series) {
    const std::size_t p = index_of(metrics, s.metric);
    if (p == panels.size()) panels.push_back({s.metric, {}});
    panels[p].curves.push_back(&s);
    index_of(runs, s.run);
  }
  const auto columns = static_cast<PLINT>(std::ceil(std::sqrt(static_cast<double>(panels.size()))));
  const auto rows = static_cast<PLINT>((static_cast<PLINT>(panels.size()) + columns - 1) / columns);
  draw_png(path, options.width, options.height, columns, rows, [&] {
    plschr(0, rows > 1 ? 0.9 : 1.0);
    for (const Panel& panel : panels) draw_panel(panel, runs, options);
  });
}

void plot_figure(const std::filesystem::path& path, const Figure& figure) {
  plot_figures(path, std::span<const Figure>(&figure, 1), figure.width, figure.height);
}

void plot_figures(const std::filesystem::path& path, std::span<const Figure> figures, int width, int height,
                  std::size_t columns) {
  if (figures.empty()) throw ArgumentError("plot_figure: no figure to draw");
  if (width < 100 || height < 100) throw ArgumentError("plot_figure: a picture of at least 100×100 pixels");
  for (const Figure& figure : figures) {
    if (!(figure.x1 > figure.x0) || !(figure.y1 > figure.y0)) throw ArgumentError("plot_figure: an empty window");
    if (figure.contour) {
      const Contour& c = *figure.contour;
      if (c.nx < 2 || c.ny < 2 || c.values.size() != c.nx * c.ny)
        throw ArgumentError("plot_figure: a contour needs a grid of at least 2×2 values");
    }
  }
  if (columns == 0 || columns > figures.size()) columns = figures.size();
  const std::size_t rows = (figures.size() + columns - 1) / columns;
  draw_png(path, width, height, static_cast<PLINT>(columns), static_cast<PLINT>(rows), [&] {
    if (figures.size() > 1) plschr(0, 0.85);  // side by side: titles and labels a little smaller
    for (const Figure& figure : figures) draw_figure(figure);
  });
}

}  // namespace gibbs::viz
