#include "data/image_mixture.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "data/image_set.h"
#include "io/image.h"

namespace tessera::data {

ImageMixture ImageMixture::load(const std::vector<std::string>& dirs, const std::string& split, int64_t height,
                                int64_t width, int64_t channels, bool fit, int64_t limit) {
  TESSERA_CHECK(!dirs.empty(), "image mixture: no image set folders given");
  ImageMixture mixture;
  mixture.height_ = height;
  mixture.width_ = width;
  mixture.channels_ = channels;
  const int64_t bytes = height * width * channels;
  for (const std::string& dir : dirs) {
    const ImageSet set = ImageSet::load(image_set_path(dir, split));
    const bool same = set.height() == height && set.width() == width && set.channels() == channels;
    TESSERA_CHECK(fit || same, dir, " split ", split, ": images are ", set.height(), " x ", set.width(), " x ",
                  set.channels(), " (H x W x C), the codec's config says ", height, " x ", width, " x ", channels,
                  " (to fit them to it: data.fit in a recipe, --fit for codec eval)");
    const int64_t n = limit > 0 ? std::min(limit, set.size()) : set.size();
    mixture.parts_.push_back({dir, std::filesystem::path(dir).filename().string(), mixture.count_, n});
    mixture.pixels_.reserve(static_cast<size_t>((mixture.count_ + n) * bytes));
    if (same) {
      const uint8_t* pixels = set.array().pixels;
      mixture.pixels_.insert(mixture.pixels_.end(), pixels, pixels + n * bytes);
    } else {
      for (int64_t i = 0; i < n; ++i) {
        const Image image = fit_image(set.image(i), height, width, channels);
        mixture.pixels_.insert(mixture.pixels_.end(), image.pixels.begin(), image.pixels.end());
      }
    }
    mixture.count_ += n;
  }
  return mixture;
}

ImageArray ImageMixture::array() const { return {pixels_.data(), count_, height_, width_, channels_}; }

ImageArray ImageMixture::part_array(size_t part) const {
  TESSERA_CHECK(part < parts_.size(), "image mixture: part ", part, " of ", parts_.size());
  const ImageMixturePart& p = parts_[part];
  return {pixels_.data() + p.first * height_ * width_ * channels_, p.count, height_, width_, channels_};
}

std::vector<int64_t> ImageMixture::balanced_indices() const {
  int64_t largest = 0;
  for (const ImageMixturePart& p : parts_) largest = std::max(largest, p.count);
  std::vector<int64_t> indices;
  indices.reserve(static_cast<size_t>(largest) * parts_.size());
  for (const ImageMixturePart& p : parts_)
    for (int64_t i = 0; i < largest && p.count > 0; ++i) indices.push_back(p.first + i % p.count);
  return indices;
}

}  // namespace tessera::data
