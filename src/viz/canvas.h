#pragma once
// Drawing on an RGB io Image: the few primitives the charts need. Coordinates are pixels,
// x to the right and y down from the top-left corner; anything outside the image is
// clipped, so callers need not check bounds.
#include <cstdint>

#include "io/image.h"

namespace tessera::viz {

struct Color {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Color&) const = default;
};

// A width x height RGB image filled with `background`.
Image blank_image(int64_t width, int64_t height, Color background);
Color pixel(const Image& image, int64_t x, int64_t y);  // the image must be RGB and (x, y) inside

void set_pixel(Image& image, int64_t x, int64_t y, Color color);
// The rectangle [x0, x1] x [y0, y1], corners included.
void fill_rect(Image& image, int64_t x0, int64_t y0, int64_t x1, int64_t y1, Color color);
// A straight line from (x0, y0) to (x1, y1), `thickness` pixels wide (a square pen).
void draw_line(Image& image, int64_t x0, int64_t y0, int64_t x1, int64_t y1, Color color, int64_t thickness = 1);

}  // namespace tessera::viz
