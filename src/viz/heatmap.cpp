#include "viz/heatmap.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.h"
#include "viz/bitmap_font.h"
#include "viz/canvas.h"

namespace tessera::viz {

namespace {

// A dark-blue -> teal -> green -> yellow ramp through five control points, sampled from
// matplotlib's viridis (perceptually uniform, readable in grey and by colour-blind eyes),
// linear in RGB between them.
constexpr std::array<std::array<float, 3>, 5> kRamp{{
    {68, 1, 84},
    {59, 82, 139},
    {33, 145, 140},
    {94, 201, 98},
    {253, 231, 37},
}};

Color ramp(float f) {
  const float position = std::clamp(f, 0.0f, 1.0f) * static_cast<float>(kRamp.size() - 1);
  const auto i = std::min(static_cast<size_t>(position), kRamp.size() - 2);
  const float w = position - static_cast<float>(i);
  const auto mix = [&](int c) {
    return static_cast<uint8_t>(
        std::lround(kRamp[i][static_cast<size_t>(c)] * (1 - w) + kRamp[i + 1][static_cast<size_t>(c)] * w));
  };
  return {mix(0), mix(1), mix(2)};
}

constexpr Color kWhite{255, 255, 255}, kText{40, 40, 40};
constexpr int64_t kTitlePad = 2;  // pixels around a title line

}  // namespace

// values (rows, cols) -> an RGB image of (rows scale, cols scale), row 0 at the bottom
Image heatmap(const std::vector<float>& values, int64_t rows, int64_t cols, float lo, float hi, int64_t scale) {
  TESSERA_CHECK(rows > 0 && cols > 0 && static_cast<int64_t>(values.size()) == rows * cols,
                "heatmap: expected (rows, cols) positive with rows x cols values, found (", rows, ", ", cols, ") and ",
                values.size(), " values");
  TESSERA_CHECK(scale >= 1, "heatmap: expected a scale >= 1, found ", scale);
  TESSERA_CHECK(hi > lo, "heatmap: expected hi > lo, found lo = ", lo, ", hi = ", hi);
  Image image = blank_image(cols * scale, rows * scale, kWhite);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t top = (rows - 1 - r) * scale;
    for (int64_t c = 0; c < cols; ++c) {
      const float v = values[static_cast<size_t>(r * cols + c)];
      TESSERA_CHECK(!std::isnan(v), "heatmap: value (", r, ", ", c, ") is NaN");
      fill_rect(image, c * scale, top, c * scale + scale - 1, top + scale - 1, ramp((v - lo) / (hi - lo)));
    }
  }
  return image;
}

Image stack_with_titles(const std::vector<Image>& images, const std::vector<std::string>& titles, int64_t gap) {
  TESSERA_CHECK(!images.empty() && images.size() == titles.size(), "stack_with_titles: expected one title per image, ",
                "found ", images.size(), " images and ", titles.size(), " titles");
  TESSERA_CHECK(gap >= 0, "stack_with_titles: expected a gap >= 0, found ", gap);
  const int64_t title_height = text_height() + 2 * kTitlePad;
  int64_t width = 0, height = gap * static_cast<int64_t>(images.size() - 1);
  std::vector<Image> rgb;
  for (size_t i = 0; i < images.size(); ++i) {
    check_image(images[i], "stack_with_titles: image " + std::to_string(i));
    rgb.push_back(to_channels(images[i], 3));
    width = std::max({width, images[i].width, text_width(titles[i]) + 2 * kTitlePad});
    height += title_height + images[i].height;
  }
  Image out = blank_image(width, height, kWhite);
  int64_t y = 0;
  for (size_t i = 0; i < rgb.size(); ++i) {
    draw_text(out, kTitlePad, y + kTitlePad, titles[i], kText);
    y += title_height;
    for (int64_t row = 0; row < rgb[i].height; ++row) {
      std::copy_n(rgb[i].pixels.data() + row * rgb[i].width * 3, rgb[i].width * 3,
                  out.pixels.data() + ((y + row) * width) * 3);
    }
    y += rgb[i].height + gap;
  }
  return out;
}

}  // namespace tessera::viz
