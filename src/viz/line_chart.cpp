#include "viz/line_chart.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "viz/bitmap_font.h"

namespace tessera::viz {

namespace {

constexpr Color kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGrid{225, 225, 225}, kText{40, 40, 40};
// Room for the title above, y tick labels on the left, x tick labels and label below.
constexpr int64_t kMarginLeft = 72, kMarginRight = 24, kMarginTop = 44, kMarginBottom = 48;
constexpr int64_t kTickLength = 5;

double to_axis(double y, bool log_y) { return log_y ? std::log10(y) : y; }

}  // namespace

int64_t ChartAxes::x_pixel(double x) const {
  const double f = x_max > x_min ? (x - x_min) / (x_max - x_min) : 0.5;
  return left + static_cast<int64_t>(std::lround(f * static_cast<double>(right - left)));
}

int64_t ChartAxes::y_pixel(double y) const {
  const double lo = to_axis(y_min, log_y), hi = to_axis(y_max, log_y);
  const double f = (to_axis(y, log_y) - lo) / (hi - lo);
  return bottom - static_cast<int64_t>(std::lround(f * static_cast<double>(bottom - top)));
}

ChartAxes chart_axes(const std::vector<Series>& series, const ChartOptions& options) {
  TESSERA_CHECK(options.width >= kMarginLeft + kMarginRight + 40 && options.height >= kMarginTop + kMarginBottom + 40,
                "line chart: expected at least ", kMarginLeft + kMarginRight + 40, "x", kMarginTop + kMarginBottom + 40,
                " pixels, found ", options.width, "x", options.height);
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const Series& s : series) {
    for (const auto& [x, y] : s.points) {
      TESSERA_CHECK(std::isfinite(x) && std::isfinite(y), "line chart: series '", s.name,
                    "' has a non-finite point (", x, ", ", y, ")");
      TESSERA_CHECK(!options.log_y || y > 0, "line chart: series '", s.name, "' has y = ", y,
                    ", which a log scale cannot show (expected y > 0)");
      x_lo = std::min(x_lo, x);
      x_hi = std::max(x_hi, x);
      y_lo = std::min(y_lo, to_axis(y, options.log_y));
      y_hi = std::max(y_hi, to_axis(y, options.log_y));
    }
  }
  TESSERA_CHECK(std::isfinite(x_lo), "line chart '", options.title, "': expected at least one point, found none");
  if (x_hi == x_lo) {
    x_lo -= 1;
    x_hi += 1;
  }
  // A flat series still gets a visible band; otherwise 5% of the range above and below.
  const double pad = y_hi > y_lo ? 0.05 * (y_hi - y_lo) : (options.log_y ? 0.1 : std::max(1.0, std::abs(y_lo) * 0.1));
  y_lo -= pad;
  y_hi += pad;
  ChartAxes axes;
  axes.left = kMarginLeft;
  axes.top = kMarginTop;
  axes.right = options.width - 1 - kMarginRight;
  axes.bottom = options.height - 1 - kMarginBottom;
  axes.x_min = x_lo;
  axes.x_max = x_hi;
  axes.log_y = options.log_y;
  axes.y_min = options.log_y ? std::pow(10.0, y_lo) : y_lo;
  axes.y_max = options.log_y ? std::pow(10.0, y_hi) : y_hi;
  return axes;
}

std::vector<double> nice_ticks(double lo, double hi, int target, bool log_scale) {
  std::vector<double> ticks;
  if (!(hi > lo)) return {lo};
  if (log_scale) {
    for (const std::vector<double>& mantissas : {std::vector<double>{1}, {1, 2, 5}}) {
      ticks.clear();
      for (int e = static_cast<int>(std::floor(std::log10(lo))); e <= static_cast<int>(std::ceil(std::log10(hi))); ++e) {
        for (double m : mantissas) {
          const double v = m * std::pow(10.0, e);
          if (v >= lo && v <= hi) ticks.push_back(v);
        }
      }
      if (ticks.size() >= 3) return ticks;
    }
    // Less than a decade: evenly spaced values read better than one or two powers of ten.
  }
  const double raw = (hi - lo) / std::max(1, target);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / power < 1.5 ? power : raw / power < 3.5 ? 2 * power : raw / power < 7.5 ? 5 * power : 10 * power;
  ticks.clear();
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

std::string tick_label(double value, double step) {
  char text[32];
  const double magnitude = std::max(std::abs(value), step);
  if (magnitude >= 1e6 || magnitude < 1e-3) {
    std::snprintf(text, sizeof text, "%.0e", value);
  } else {
    const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
  }
  return text;
}

namespace {

// The gap between neighbouring ticks, which sets how many digits their labels need.
double tick_step(const std::vector<double>& ticks, size_t i) {
  if (ticks.size() < 2) return std::abs(ticks[i]) > 0 ? std::abs(ticks[i]) : 1.0;
  return i + 1 < ticks.size() ? ticks[i + 1] - ticks[i] : ticks[i] - ticks[i - 1];
}

void draw_legend(Image& image, const ChartAxes& axes, const std::vector<Series>& series) {
  int64_t widest = 0;
  for (const Series& s : series) widest = std::max(widest, text_width(s.name));
  const int64_t row = 14, swatch = 18, pad = 6;
  const int64_t box_right = axes.right - 8, box_left = box_right - (pad + swatch + 6 + widest + pad);
  const int64_t box_top = axes.top + 8, box_bottom = box_top + pad * 2 + row * static_cast<int64_t>(series.size()) - 4;
  fill_rect(image, box_left, box_top, box_right, box_bottom, kWhite);
  for (const auto& [x0, y0, x1, y1] : {std::array<int64_t, 4>{box_left, box_top, box_right, box_top},
                                      {box_left, box_bottom, box_right, box_bottom},
                                      {box_left, box_top, box_left, box_bottom},
                                      {box_right, box_top, box_right, box_bottom}}) {
    draw_line(image, x0, y0, x1, y1, kGrid);
  }
  for (size_t i = 0; i < series.size(); ++i) {
    const int64_t y = box_top + pad + row * static_cast<int64_t>(i);
    draw_line(image, box_left + pad, y + 3, box_left + pad + swatch, y + 3, series[i].color, 2);
    draw_text(image, box_left + pad + swatch + 6, y, series[i].name, kText);
  }
}

}  // namespace

Image draw_line_chart(const std::vector<Series>& series, const ChartOptions& options) {
  const ChartAxes axes = chart_axes(series, options);
  Image image = blank_image(options.width, options.height, kWhite);

  const std::vector<double> y_ticks = nice_ticks(axes.y_min, axes.y_max, 6, axes.log_y);
  for (size_t i = 0; i < y_ticks.size(); ++i) {
    const int64_t y = axes.y_pixel(y_ticks[i]);
    draw_line(image, axes.left + 1, y, axes.right, y, kGrid);
    draw_line(image, axes.left - kTickLength, y, axes.left, y, kBlack);
    const std::string label = tick_label(y_ticks[i], tick_step(y_ticks, i));
    draw_text(image, axes.left - kTickLength - 4 - text_width(label), y - text_height() / 2, label, kText);
  }
  const std::vector<double> x_ticks = nice_ticks(axes.x_min, axes.x_max, 8, false);
  for (size_t i = 0; i < x_ticks.size(); ++i) {
    const int64_t x = axes.x_pixel(x_ticks[i]);
    draw_line(image, x, axes.top, x, axes.bottom - 1, kGrid);
    draw_line(image, x, axes.bottom, x, axes.bottom + kTickLength, kBlack);
    const std::string label = tick_label(x_ticks[i], tick_step(x_ticks, i));
    draw_text(image, x - text_width(label) / 2, axes.bottom + kTickLength + 4, label, kText);
  }
  draw_line(image, axes.left, axes.top, axes.left, axes.bottom, kBlack);
  draw_line(image, axes.left, axes.bottom, axes.right, axes.bottom, kBlack);

  for (const Series& s : series) {
    for (size_t i = 0; i < s.points.size(); ++i) {
      const int64_t x = axes.x_pixel(s.points[i].first), y = axes.y_pixel(s.points[i].second);
      if (i > 0) {
        draw_line(image, axes.x_pixel(s.points[i - 1].first), axes.y_pixel(s.points[i - 1].second), x, y, s.color, 2);
      }
      if (s.markers || s.points.size() == 1) fill_rect(image, x - 2, y - 2, x + 2, y + 2, s.color);
    }
  }

  draw_text(image, (options.width - text_width(options.title, 2)) / 2, 10, options.title, kText, 2);
  draw_text(image, axes.left, axes.top - text_height() - 6, options.y_label, kText);
  draw_text(image, (axes.left + axes.right - text_width(options.x_label)) / 2,
            axes.bottom + kTickLength + 8 + text_height(), options.x_label, kText);
  if (!series.empty()) draw_legend(image, axes, series);
  return image;
}

}  // namespace tessera::viz
