#pragma once
// A matrix drawn as a colour image: the spectrogram pictures of the audio codec.
#include <cstdint>
#include <string>
#include <vector>

#include "io/image.h"

namespace tessera::viz {

// values: (rows, cols) row-major; drawn with row 0 at the BOTTOM (low frequencies low),
// column 0 at the left, each cell `scale` pixels square, colours from a perceptual dark-to-
// light map between lo and hi (clamped).
Image heatmap(const std::vector<float>& values, int64_t rows, int64_t cols, float lo, float hi, int64_t scale = 1);

// Images stacked top to bottom with a `gap`-pixel white band between them and a title
// line (the 5x7 font) above each: "original", "reconstruction"...
Image stack_with_titles(const std::vector<Image>& images, const std::vector<std::string>& titles, int64_t gap = 4);

}  // namespace tessera::viz
