#pragma once
// A tiny 5x7 bitmap font of the project's own, for chart labels: digits, lowercase letters
// (uppercase draws as lowercase), and the punctuation numbers and labels need. A character
// it lacks draws as '?'.
#include <cstdint>
#include <string_view>

#include "viz/canvas.h"

namespace tessera::viz {

inline constexpr int64_t kGlyphWidth = 5;
inline constexpr int64_t kGlyphHeight = 7;
inline constexpr int64_t kGlyphAdvance = 6;  // the glyph and one column of space

// Pixel size of `text` drawn at `scale` (each font pixel a scale x scale square).
int64_t text_width(std::string_view text, int64_t scale = 1);
inline int64_t text_height(int64_t scale = 1) { return kGlyphHeight * scale; }

// Draws `text` with its top-left corner at (x, y).
void draw_text(Image& image, int64_t x, int64_t y, std::string_view text, Color color, int64_t scale = 1);

}  // namespace tessera::viz
