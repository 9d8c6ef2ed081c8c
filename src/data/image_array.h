#pragma once
// Images in memory as the trainers and measurements take them: count images of (height,
// width, channels) 8-bit interleaved rows, one after another. An ImageSet's split is one
// (ImageSet::array); so are the synthetic images of the tests.
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace tessera::data {

struct ImageArray {
  const uint8_t* pixels = nullptr;
  int64_t count = 0, height = 0, width = 0, channels = 0;
};

// The images at `indices` as f32 (indices.size(), C, H, W) in [-1, 1].
Tensor image_batch(const ImageArray& images, const std::vector<int64_t>& indices);

}  // namespace tessera::data
