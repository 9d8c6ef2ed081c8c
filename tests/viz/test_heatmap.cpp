// Heatmaps: size, orientation (row 0 at the bottom), the colour ramp's ends and order, and
// titled stacks.
#include <gtest/gtest.h>

#include <cmath>

#include "support/expect_error.h"
#include "viz/bitmap_font.h"
#include "viz/heatmap.h"

namespace tessera::viz {
namespace {

int brightness(Color c) { return c.r + c.g + c.b; }

TEST(Heatmap, SizeAndOrientation) {
  // 2 rows x 3 columns; row 0 holds the high values, so it is the bright row.
  const std::vector<float> values{1, 1, 1, 0, 0, 0};
  const Image image = heatmap(values, 2, 3, 0, 1, 4);
  EXPECT_EQ(image.width, 12);
  EXPECT_EQ(image.height, 8);
  EXPECT_EQ(image.channels, 3);
  const Color bottom = pixel(image, 0, 7), top = pixel(image, 0, 0);
  EXPECT_GT(brightness(bottom), brightness(top)) << "row 0 is drawn at the bottom";
  EXPECT_EQ(pixel(image, 11, 4), bottom);  // every pixel of a cell has its colour
  EXPECT_EQ(pixel(image, 3, 3), top);
}

TEST(Heatmap, RampRunsDarkToLightAndClamps) {
  // One row from below lo to above hi.
  const std::vector<float> values{-5, 0, 0.25f, 0.5f, 0.75f, 1, 7};
  const Image image = heatmap(values, 1, 7, 0, 1);
  EXPECT_EQ(pixel(image, 0, 0), pixel(image, 1, 0));  // clamped at lo
  EXPECT_EQ(pixel(image, 6, 0), pixel(image, 5, 0));  // clamped at hi
  for (int64_t x = 2; x <= 5; ++x) EXPECT_GT(brightness(pixel(image, x, 0)), brightness(pixel(image, x - 1, 0))) << x;
  EXPECT_LT(brightness(pixel(image, 1, 0)), 200);  // dark violet
  EXPECT_GT(brightness(pixel(image, 5, 0)), 450);  // light yellow
  expect_error([&] { heatmap(values, 2, 3, 0, 1); },
               {"heatmap: expected (rows, cols) positive with rows x cols values"});
  expect_error([&] { heatmap({0, NAN}, 1, 2, 0, 1); }, {"heatmap: value (0, 1) is NaN"});
  expect_error([&] { heatmap({0, 1}, 1, 2, 1, 1); }, {"heatmap: expected hi > lo, found lo = 1, hi = 1"});
}

TEST(Heatmap, StackWithTitlesPutsEachTitleAboveItsImage) {
  const Image a = heatmap({0, 1}, 1, 2, 0, 1, 10), b = heatmap({1, 0, 1, 0}, 2, 2, 0, 1, 10);
  const Image stack = stack_with_titles({a, b}, {"original", "reconstruction"}, 4);
  const int64_t title = text_height() + 4;
  EXPECT_EQ(stack.width, std::max<int64_t>(20, text_width("reconstruction") + 4));
  EXPECT_EQ(stack.height, title + 10 + 4 + title + 20);
  // Images sit at the left below their titles, unchanged.
  EXPECT_EQ(pixel(stack, 0, title), pixel(a, 0, 0));
  EXPECT_EQ(pixel(stack, 19, title + 9), pixel(a, 19, 9));
  EXPECT_EQ(pixel(stack, 5, title + 10 + 4 + title + 15), pixel(b, 5, 15));
  // The gap is white, and each title has dark text in its line.
  EXPECT_EQ(pixel(stack, 5, title + 10 + 1), (Color{255, 255, 255}));
  bool ink = false;
  for (int64_t x = 0; x < stack.width; ++x) {
    for (int64_t y = 0; y < title; ++y) ink = ink || brightness(pixel(stack, x, y)) < 300;
  }
  EXPECT_TRUE(ink);
  expect_error([&] { stack_with_titles({a}, {}); }, {"expected one title per image, found 1 images and 0 titles"});
}

}  // namespace
}  // namespace tessera::viz
