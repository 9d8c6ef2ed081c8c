#include "viz/canvas.h"

#include <algorithm>
#include <cstdlib>

#include "core/error.h"

namespace tessera::viz {

Image blank_image(int64_t width, int64_t height, Color background) {
  TESSERA_CHECK(width > 0 && height > 0, "blank_image: expected a positive size, found ", width, "x", height);
  Image image{height, width, 3, std::vector<uint8_t>(static_cast<size_t>(width * height * 3))};
  for (size_t i = 0; i < image.pixels.size(); i += 3) {
    image.pixels[i] = background.r;
    image.pixels[i + 1] = background.g;
    image.pixels[i + 2] = background.b;
  }
  return image;
}

Color pixel(const Image& image, int64_t x, int64_t y) {
  TESSERA_CHECK(image.channels == 3 && x >= 0 && y >= 0 && x < image.width && y < image.height,
                "pixel: expected (x, y) inside an RGB image of ", image.width, "x", image.height, ", found (", x, ", ",
                y, ")");
  const uint8_t* p = image.pixels.data() + (y * image.width + x) * 3;
  return {p[0], p[1], p[2]};
}

void set_pixel(Image& image, int64_t x, int64_t y, Color color) {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  uint8_t* p = image.pixels.data() + (y * image.width + x) * 3;
  p[0] = color.r;
  p[1] = color.g;
  p[2] = color.b;
}

void fill_rect(Image& image, int64_t x0, int64_t y0, int64_t x1, int64_t y1, Color color) {
  for (int64_t y = std::max<int64_t>(0, std::min(y0, y1)); y <= std::min(image.height - 1, std::max(y0, y1)); ++y) {
    for (int64_t x = std::max<int64_t>(0, std::min(x0, x1)); x <= std::min(image.width - 1, std::max(x0, x1)); ++x) {
      set_pixel(image, x, y, color);
    }
  }
}

void draw_line(Image& image, int64_t x0, int64_t y0, int64_t x1, int64_t y1, Color color, int64_t thickness) {
  // Bresenham; the pen covers the pixels from -(t-1)/2 to t/2 around each point.
  const int64_t before = (thickness - 1) / 2, after = thickness / 2;
  const int64_t dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
  const int64_t sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  int64_t error = dx + dy;
  while (true) {
    fill_rect(image, x0 - before, y0 - before, x0 + after, y0 + after, color);
    if (x0 == x1 && y0 == y1) break;
    const int64_t twice = 2 * error;
    if (twice >= dy) {
      error += dy;
      x0 += sx;
    }
    if (twice <= dx) {
      error += dx;
      y0 += sy;
    }
  }
}

}  // namespace tessera::viz
