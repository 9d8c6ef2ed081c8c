#include "data/image_set.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/fields.h"

namespace tessera::data {

namespace {

// Images larger than this per side are not what an image set of small pictures holds; the
// bound also keeps N x H x W x C far from overflowing.
constexpr int64_t kMaxSide = 1 << 16;

// The sidecar, <split>.json. Its files are relative to its folder.
struct Sidecar {
  int64_t count = 0, height = 0, width = 0, channels = 0;
  std::string images, captions, source;
  nlohmann::json split;  // the rule that chose the split's images, for people

  void fields(Fields& f) {
    std::string format;
    f.choice("format", format, {kImageSetFormat}, true);
    int64_t version = 0;
    f.integer("version", version, {.min = kImageSetVersion, .max = kImageSetVersion, .required = true});
    f.integer("count", count, {.min = 0, .max = int64_t{1} << 32, .required = true});
    f.integer("height", height, {.min = 1, .max = kMaxSide, .required = true});
    f.integer("width", width, {.min = 1, .max = kMaxSide, .required = true});
    f.integer("channels", channels, {.min = 1, .max = 4, .required = true});
    f.check(channels != 2, "channels", "1, 3 or 4", channels);
    f.path("images", images, true);
    f.path("captions", captions, true);
    f.string("source", source);
    f.any("split", split);
  }
};

// One caption per line; a final newline ends the last caption rather than starting another.
std::vector<std::string> read_captions(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

ImageSet ImageSet::load(const std::string& sidecar_path) {
  const Sidecar sidecar = read_config<Sidecar>(load_config_source(sidecar_path));
  ImageSet set;
  set.path_ = sidecar_path;
  set.count_ = sidecar.count;
  set.height_ = sidecar.height;
  set.width_ = sidecar.width;
  set.channels_ = sidecar.channels;
  set.source_ = sidecar.source;

  const std::string& images_path = sidecar.images;
  const auto expected = static_cast<uint64_t>(shape_numel({set.count_, set.height_, set.width_, set.channels_}));
  std::error_code error;
  const uint64_t found = std::filesystem::file_size(images_path, error);
  TESSERA_CHECK(!error, images_path, ": cannot read the images named by ", sidecar_path, ": ", error.message());
  // Checked before reading, so a wrong file is not loaded into memory first.
  TESSERA_CHECK(found == expected, images_path, ": expected ", expected, " bytes (field 'count' of ", sidecar_path,
                ": ", set.count_, " images of ", set.height_, "x", set.width_, "x", set.channels_, "), found ", found,
                " bytes");
  set.pixels_ = read_file(images_path);
  TESSERA_CHECK(set.pixels_.size() == expected, images_path, ": expected ", expected, " bytes, found ",
                set.pixels_.size(), " (the file changed while being read)");

  const std::string& captions_path = sidecar.captions;
  set.captions_ = read_captions(captions_path);
  TESSERA_CHECK(static_cast<int64_t>(set.captions_.size()) == set.count_, captions_path, ": expected ", set.count_,
                " captions, one per line (field 'count' of ", sidecar_path, "), found ", set.captions_.size(),
                " lines");
  return set;
}

void ImageSet::check_index(int64_t index) const {
  TESSERA_CHECK(index >= 0 && index < count_, path_, ": image index ", index, " out of range: the set holds ", count_,
                " images");
}

const std::string& ImageSet::caption(int64_t index) const {
  check_index(index);
  return captions_[static_cast<size_t>(index)];
}

Image ImageSet::image(int64_t index) const {
  check_index(index);
  const int64_t bytes = height_ * width_ * channels_;
  const auto* first = reinterpret_cast<const uint8_t*>(pixels_.data()) + index * bytes;
  return Image{height_, width_, channels_, std::vector<uint8_t>(first, first + bytes)};
}

// indices (B) -> images (B, C, H, W) f32, captions (B)
ImageBatch ImageSet::batch(std::span<const int64_t> indices) const {
  for (const int64_t index : indices) check_index(index);
  ImageBatch out{image_batch(array(), {indices.begin(), indices.end()}), {}};
  for (const int64_t index : indices) out.captions.push_back(captions_[static_cast<size_t>(index)]);
  return out;
}

std::string image_set_path(const std::string& dir, const std::string& split) {
  return (std::filesystem::path(dir) / (split + ".json")).string();
}

}  // namespace tessera::data
