// The labelled sample grid: every row's images enlarged side by side, labels at the left.
#include <gtest/gtest.h>

#include "support/expect_error.h"
#include "viz/canvas.h"
#include "viz/image_grid.h"

namespace tessera::viz {
namespace {

TEST(ImageGrid, LaysOutRowsWithTheirImagesEnlarged) {
  const Image grey{2, 3, 1, {10, 20, 30, 40, 50, 60}};
  const Image grid = labelled_grid({{grey, grey}, {grey}}, {"a", "bb"}, 2);
  EXPECT_EQ(grid.channels, 3);
  EXPECT_GE(grid.width, 2 * (3 * 2 + 2));
  EXPECT_GE(grid.height, 2 * (2 * 2 + 2));
  // Each grey pixel becomes a 2 x 2 block of RGB: three tiles hold 3 x 4 pixels of level 10.
  int64_t tens = 0, sixties = 0;
  for (int64_t y = 0; y < grid.height; ++y) {
    for (int64_t x = 0; x < grid.width; ++x) {
      tens += pixel(grid, x, y) == Color{10, 10, 10};
      sixties += pixel(grid, x, y) == Color{60, 60, 60};
    }
  }
  EXPECT_EQ(tens, 12);
  EXPECT_EQ(sixties, 12);
  expect_error([&] { labelled_grid({{grey}}, {}, 2); }, {"1 rows with 0 labels"});
}

}  // namespace
}  // namespace tessera::viz
