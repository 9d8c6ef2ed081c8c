#pragma once
// An image codec measured on a set of images: every image encoded and decoded, the
// reconstruction saved-as-PNG pixels compared with the originals (image_metrics.h), and the
// codes' use of the vocabulary.
#include <cstdint>
#include <string>

#include "codecs/image/image_codec.h"
#include "data/image_array.h"
#include "eval/image_metrics.h"
#include "io/image.h"

namespace tessera::eval {

struct ImageCodecReport {
  int64_t images = 0;
  double psnr = 0, ssim = 0;  // means over the images
  CodeUsage usage;
};

// Over the first `limit` images (0: all), in batches of `batch_size`.
ImageCodecReport evaluate_image_codec(const codecs::ImageCodec& codec, const data::ImageArray& images,
                                      int64_t batch_size = 64, int64_t limit = 0);

// The first n images of `images` and their reconstructions side by side: originals in the
// top row, reconstructions below, each tile enlarged `scale` times (nearest) on a white
// background with a 2-pixel gap. Channels as the codec's (grey stays grey).
Image comparison_grid(const codecs::ImageCodec& codec, const data::ImageArray& images, int64_t n, int64_t scale);

}  // namespace tessera::eval
