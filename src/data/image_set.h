#pragma once
// An image set in memory: the raw format the data scripts write (scripts/data/image_set.py),
// one split at a time:
//
//   <split>.json          {"format": "tessera-image-set", "version": 1, "count": N, "height": H,
//                          "width": W, "channels": C, "images": "<split>.images.u8",
//                          "captions": "<split>.captions.txt", "source": ..., "split": ...}
//   <split>.images.u8     N x H x W x C bytes: image after image, (H, W, C) each
//   <split>.captions.txt  N lines of UTF-8, the caption of image i on line i
//
// Raw bytes rather than a folder of PNGs, because tens of thousands of small files are slow
// to open and decode each epoch; the whole split is read once and kept as bytes (a quarter
// of the f32 size). Batches are converted when asked for.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "data/image_array.h"
#include "io/image.h"

namespace tessera::data {

inline constexpr const char* kImageSetFormat = "tessera-image-set";
inline constexpr int64_t kImageSetVersion = 1;

struct ImageBatch {
  Tensor images;                      // (B, C, H, W) f32 in [-1, 1]
  std::vector<std::string> captions;  // B
};

class ImageSet {
 public:
  // Reads the sidecar and the two files it names (relative to the sidecar's folder).
  // Every field is checked; a file whose size or line count disagrees with the sidecar is
  // an error naming the file, the field and both numbers.
  static ImageSet load(const std::string& sidecar_path);

  int64_t size() const { return count_; }
  int64_t height() const { return height_; }
  int64_t width() const { return width_; }
  int64_t channels() const { return channels_; }
  const std::string& source() const { return source_; }

  // Every image, as the trainers and measurements take them.
  ImageArray array() const {
    return {reinterpret_cast<const uint8_t*>(pixels_.data()), count_, height_, width_, channels_};
  }

  const std::string& caption(int64_t index) const;
  Image image(int64_t index) const;  // (H, W, C) u8
  // The images and captions at `indices`, in that order; an index may repeat.
  ImageBatch batch(std::span<const int64_t> indices) const;

 private:
  void check_index(int64_t index) const;

  std::string path_;
  int64_t count_ = 0, height_ = 0, width_ = 0, channels_ = 0;
  std::string source_;
  std::string pixels_;  // (N, H, W, C) u8
  std::vector<std::string> captions_;
};

// The sidecar of `split` in `dir`: "<dir>/<split>.json".
std::string image_set_path(const std::string& dir, const std::string& split);

}  // namespace tessera::data
