#pragma once
// Line charts into an RGB Image: series of (x, y) points on axes with ticks, tick labels,
// light grid lines, a legend and a title. Used for the trainer's loss.png (train and valid
// loss against step) and for codec sweeps.
//
//   +---------------------- title ----------------------+
//   | y label                                           |
//   |  4.0 -+-----------------------------+ [-- train]  |
//   |       |\__                          | [-- valid]  |
//   |  3.0 -+    \_____                   |             |
//   |       +-----+-----+-----+-----+-----+             |
//   |       0    200   400   600   800  1000            |
//   |                    x label                        |
//   +---------------------------------------------------+
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "viz/canvas.h"

namespace tessera::viz {

struct Series {
  std::string name;  // the legend's label
  std::vector<std::pair<double, double>> points;  // (x, y), drawn joined in this order
  Color color;
  bool markers = false;  // a small square on every point (sparse series, e.g. evaluations)
};

struct ChartOptions {
  int64_t width = 800, height = 480;
  std::string title, x_label, y_label;
  bool log_y = false;  // y on a log scale; every y must then be positive
};

// Where values land: the plot area in pixels and the value ranges it spans.
struct ChartAxes {
  int64_t left = 0, top = 0, right = 0, bottom = 0;  // plot area, inclusive pixel bounds
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  bool log_y = false;

  int64_t x_pixel(double x) const;
  int64_t y_pixel(double y) const;
};

// The axes a chart of these series gets: x spans the data, y the data with a margin.
// Errors: no points at all, a non-finite value, a non-positive y on a log scale (naming the
// series), a size too small for the margins.
ChartAxes chart_axes(const std::vector<Series>& series, const ChartOptions& options);
Image draw_line_chart(const std::vector<Series>& series, const ChartOptions& options);

// Tick values: "nice" numbers (1, 2 or 5 times a power of ten) inside [lo, hi], about
// `target` of them; on a log scale the powers of ten (and 2x, 5x when few decades).
std::vector<double> nice_ticks(double lo, double hi, int target, bool log_scale);
// A tick's label: as few digits as tell it from its neighbours `step` apart ("0.25", "1e-04").
std::string tick_label(double value, double step);

}  // namespace tessera::viz
