#pragma once
// The same split of several image sets as one array of one size, for a codec shared by sets
// whose images differ (Fashion-MNIST's 28 x 28 grey, OpenMoji's 64 x 64 colour): every image
// goes through fit_image (io/image.h), as a corpus build and a prompt take it, and the sets
// lie one after another.
#include <cstdint>
#include <string>
#include <vector>

#include "data/image_array.h"

namespace tessera::data {

struct ImageMixturePart {
  std::string dir;     // the set's folder
  std::string name;    // its folder's name, for metrics ("openmoji")
  int64_t first = 0;   // its first image in the mixture
  int64_t count = 0;
};

class ImageMixture {
 public:
  // Split `split` of each folder of `dirs`, at most `limit` images of each (0: all), fitted to
  // (height, width, channels). With `fit` false a set of another size is refused (naming the
  // folder, the split and both sizes) rather than resized.
  static ImageMixture load(const std::vector<std::string>& dirs, const std::string& split, int64_t height,
                           int64_t width, int64_t channels, bool fit, int64_t limit = 0);

  ImageArray array() const;
  ImageArray part_array(size_t part) const;
  const std::vector<ImageMixturePart>& parts() const { return parts_; }
  int64_t size() const { return count_; }

  // Indices into the mixture in which every set appears equally often: a smaller set's
  // images repeat (in order, cycling) until it has as many entries as the largest.
  std::vector<int64_t> balanced_indices() const;

 private:
  int64_t count_ = 0, height_ = 0, width_ = 0, channels_ = 0;
  std::vector<uint8_t> pixels_;  // (count, H, W, C)
  std::vector<ImageMixturePart> parts_;
};

}  // namespace tessera::data
