#pragma once
// Small synthetic image sets for codec tests: smooth blobs on a flat background, so a tiny
// codec can learn them in seconds, and a set folder in the raw format of data/image_set.h.
#include <cstdint>
#include <string>
#include <vector>

#include "codecs/image/image_codec_config.h"
#include "data/image_array.h"

namespace tessera::testing {

struct SyntheticImages {
  std::vector<uint8_t> pixels;  // (count, height, width, channels)
  int64_t count = 0, height = 0, width = 0, channels = 0;
  data::ImageArray array() const { return {pixels.data(), count, height, width, channels}; }
};

// Each image: a background level and two Gaussian blobs of random centre, width and
// brightness (per channel), drawn from `seed`.
SyntheticImages smooth_blobs(int64_t count, int64_t height, int64_t width, int64_t channels, uint64_t seed);

// Writes `images` as split `split` of an image set folder `dir` (created): <split>.images.u8,
// <split>.captions.txt ("blob <i>") and the <split>.json sidecar.
void write_image_set(const std::string& dir, const std::string& split, const SyntheticImages& images);

// A config for tests: 16 x 16 images, widths [8, 16, 16], 2 halvings (a 4 x 4 grid), one
// residual block per level, 4 norm groups, FSQ [5, 5, 5] (125 codes) or VQ of 64 codes of 3 dims.
codecs::ImageCodecConfig tiny_codec_config(int64_t channels, bool vq);

}  // namespace tessera::testing
