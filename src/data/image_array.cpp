#include "data/image_array.h"

#include "core/error.h"
#include "io/image.h"

namespace tessera::data {

Tensor image_batch(const ImageArray& images, const std::vector<int64_t>& indices) {
  const int64_t n = static_cast<int64_t>(indices.size());
  const int64_t plane = images.height * images.width * images.channels;
  Tensor out = Tensor::empty({n, images.channels, images.height, images.width});
  for (int64_t i = 0; i < n; ++i) {
    TESSERA_CHECK(indices[i] >= 0 && indices[i] < images.count, "image_batch: index ", indices[i], " is outside the ",
                  images.count, " images");
    pixels_to_chw(images.pixels + indices[i] * plane, images.height, images.width, images.channels,
                  out.data<float>() + i * plane);
  }
  return out;
}

}  // namespace tessera::data
