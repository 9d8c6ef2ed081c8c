// Charts are checked by their pixels: the right size, something drawn, and each series'
// points exactly where the axes put their values.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <cmath>

#include "support/temp_dir.h"
#include "support/expect_error.h"
#include "viz/bitmap_font.h"
#include "viz/line_chart.h"

namespace tessera::viz {
namespace {

const Color kRed{220, 40, 40}, kBlue{30, 90, 200};

std::vector<Series> loss_like_series() {
  Series train{"train", {}, kBlue};
  for (int step = 1; step <= 100; ++step) train.points.push_back({step, 2.0 + 6.0 / step});
  Series valid{"valid", {{25, 2.5}, {50, 2.3}, {100, 2.2}}, kRed, true};
  return {train, valid};
}

TEST(LineChart, PngHasTheRequestedSizeAndIsNotBlank) {
  TempDir dir;
  ChartOptions options;
  options.width = 640;
  options.height = 400;
  options.title = "loss";
  options.x_label = "step";
  write_png(dir.path("chart.png"), draw_line_chart(loss_like_series(), options));

  int width = 0, height = 0, channels = 0;
  unsigned char* pixels = stbi_load(dir.path("chart.png").c_str(), &width, &height, &channels, 3);
  ASSERT_NE(pixels, nullptr);
  EXPECT_EQ(width, 640);
  EXPECT_EQ(height, 400);
  int64_t blue = 0, red = 0, dark = 0;
  for (int i = 0; i < width * height; ++i) {
    const Color c{pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]};
    blue += c == kBlue;
    red += c == kRed;
    dark += c.r < 100 && c.g < 100 && c.b < 100;  // axes, ticks and labels
  }
  stbi_image_free(pixels);
  EXPECT_GT(blue, 300);  // a 2-pixel line across most of the plot
  EXPECT_GT(red, 50);    // three markers, two segments and the legend swatch
  EXPECT_GT(dark, 1000);
}

TEST(LineChart, SeriesPointsLandWhereTheAxesSay) {
  for (const bool log_y : {false, true}) {
    ChartOptions options;
    options.log_y = log_y;
    const std::vector<Series> series = loss_like_series();
    const ChartAxes axes = chart_axes(series, options);
    const Image image = draw_line_chart(series, options);
    EXPECT_EQ(image.width, options.width);
    EXPECT_EQ(image.height, options.height);
    for (const auto& [x, y] : {std::pair<double, double>{1, 8.0}, {10, 2.6}, {50, 2.12}}) {
      EXPECT_EQ(pixel(image, axes.x_pixel(x), axes.y_pixel(y)), kBlue) << "train point (" << x << ", " << y << ")";
    }
    EXPECT_EQ(pixel(image, axes.x_pixel(50), axes.y_pixel(2.3)), kRed);
    // The extremes sit inside the plot area, and larger values are higher up.
    EXPECT_GT(axes.y_pixel(8.0), axes.top);
    EXPECT_LT(axes.y_pixel(2.06), axes.bottom);
    EXPECT_LT(axes.y_pixel(8.0), axes.y_pixel(2.06));
    EXPECT_EQ(axes.x_pixel(1), axes.left);
    EXPECT_EQ(axes.x_pixel(100), axes.right);
  }
}

TEST(LineChart, TicksAreNiceNumbersInsideTheRange) {
  EXPECT_EQ(nice_ticks(0, 10, 5, false), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(1.03, 1.52, 5, false).front(), 1.1);
  EXPECT_EQ(nice_ticks(0.5, 2000, 6, true), (std::vector<double>{1, 10, 100, 1000}));
  EXPECT_EQ(tick_label(0.25, 0.05), "0.25");
  EXPECT_EQ(tick_label(1500, 500), "1500");
  EXPECT_EQ(tick_label(1e-4, 1e-4), "1e-04");
}

TEST(LineChart, TextIsDrawnWithTheBitmapFont) {
  Image image = blank_image(40, 10, {255, 255, 255});
  draw_text(image, 1, 1, "1e-3", {0, 0, 0});
  EXPECT_EQ(text_width("1e-3"), 23);
  // The '1' glyph's stem is its middle column, all the way down from row 1 to row 7.
  for (int64_t row = 1; row <= 7; ++row) EXPECT_EQ(pixel(image, 3, row), (Color{0, 0, 0})) << row;
  EXPECT_EQ(pixel(image, 0, 0), (Color{255, 255, 255}));
}

TEST(LineChart, BadInputsAreClearErrors) {
  expect_error([] { draw_line_chart({Series{"empty", {}, kRed}}, {}); }, {"expected at least one point"});
  ChartOptions log;
  log.log_y = true;
  expect_error([&] { draw_line_chart({Series{"loss", {{0, 1.0}, {1, 0.0}}, kRed}}, log); },
               {"series 'loss'", "y = 0", "log scale"});
  expect_error([] { draw_line_chart({Series{"nan", {{0, NAN}}, kRed}}, {}); }, {"series 'nan'", "non-finite"});
  ChartOptions tiny;
  tiny.width = 20;
  expect_error([&] { draw_line_chart(loss_like_series(), tiny); }, {"found 20x480"});
}

}  // namespace
}  // namespace tessera::viz
