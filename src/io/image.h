#pragma once
// Image files. Pixels travel as 8-bit interleaved rows: (H, W, C), C = 1 (grey), 3 (RGB)
// or 4 (RGBA).
#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

struct Image {
  int64_t height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;  // (H, W, C)
};

// Writes a PNG atomically (temporary file + rename).
void write_png(const std::string& path, const Image& image);

}  // namespace tessera
