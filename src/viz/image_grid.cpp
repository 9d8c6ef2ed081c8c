#include "viz/image_grid.h"

#include <algorithm>

#include "core/error.h"
#include "viz/bitmap_font.h"
#include "viz/canvas.h"

namespace tessera::viz {

Image labelled_grid(const std::vector<std::vector<Image>>& rows, const std::vector<std::string>& labels,
                    int64_t scale) {
  TESSERA_CHECK(rows.size() == labels.size(), "image grid: ", rows.size(), " rows with ", labels.size(), " labels");
  TESSERA_CHECK(scale >= 1, "image grid: expected a scale of at least 1, found ", scale);
  constexpr int64_t gap = 2;
  int64_t label_width = 0, width = 0, height = gap;
  std::vector<int64_t> row_height(rows.size(), 0);
  for (size_t r = 0; r < rows.size(); ++r) {
    label_width = std::max(label_width, text_width(labels[r]));
    int64_t w = 0;
    for (const Image& image : rows[r]) {
      w += image.width * scale + gap;
      row_height[r] = std::max(row_height[r], image.height * scale);
    }
    row_height[r] = std::max(row_height[r], text_height());
    width = std::max(width, w);
    height += row_height[r] + gap;
  }
  const int64_t left = label_width + 3 * gap;
  Image grid = blank_image(left + width + gap, height, {255, 255, 255});
  int64_t y = gap;
  for (size_t r = 0; r < rows.size(); ++r) {
    draw_text(grid, gap, y + (row_height[r] - text_height()) / 2, labels[r], {40, 40, 40});
    int64_t x = left;
    for (const Image& tile : rows[r]) {
      const Image rgb = to_channels(tile, 3);
      for (int64_t ty = 0; ty < tile.height * scale; ++ty) {
        for (int64_t tx = 0; tx < tile.width * scale; ++tx) {
          const uint8_t* p = &rgb.pixels[static_cast<size_t>(((ty / scale) * tile.width + tx / scale) * 3)];
          set_pixel(grid, x + tx, y + ty, {p[0], p[1], p[2]});
        }
      }
      x += tile.width * scale + gap;
    }
    y += row_height[r] + gap;
  }
  return grid;
}

}  // namespace tessera::viz
