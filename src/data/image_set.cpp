#include "data/image_set.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"

namespace tessera::data {

namespace {

using nlohmann::json;

// Images larger than this per side are not what an image set of small pictures holds; the
// bound also keeps N x H x W x C far from overflowing.
constexpr int64_t kMaxSide = 1 << 16;

const json& field(const json& sidecar, const char* name, const std::string& path) {
  TESSERA_CHECK(sidecar.contains(name), path, ": field '", name, "': missing");
  return sidecar[name];
}

int64_t integer_field(const json& sidecar, const char* name, int64_t lo, int64_t hi, const std::string& path) {
  const json& v = field(sidecar, name, path);
  const bool ok = v.is_number_integer() && (v.is_number_unsigned() ? v.get<uint64_t>() <= static_cast<uint64_t>(hi)
                                                                   : v.get<int64_t>() >= lo && v.get<int64_t>() <= hi);
  TESSERA_CHECK(ok, path, ": field '", name, "': expected an integer in [", lo, ", ", hi, "], found ", v.dump());
  return v.get<int64_t>();
}

// A file named by the sidecar, relative to the sidecar's folder.
std::string file_field(const json& sidecar, const char* name, const std::string& path) {
  const json& v = field(sidecar, name, path);
  TESSERA_CHECK(v.is_string() && !v.get<std::string>().empty(), path, ": field '", name,
                "': expected a file name, found ", v.dump());
  return (std::filesystem::path(path).parent_path() / v.get<std::string>()).string();
}

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
  json sidecar;
  try {
    sidecar = json::parse(read_file(sidecar_path));
  } catch (const json::exception& e) {
    fail(sidecar_path, ": not a valid JSON image set sidecar: ", e.what());
  }
  TESSERA_CHECK(sidecar.is_object(), sidecar_path, ": expected a JSON object, found ", sidecar.dump());
  const json& format = field(sidecar, "format", sidecar_path);
  TESSERA_CHECK(format == kImageSetFormat, sidecar_path, ": field 'format': expected \"", kImageSetFormat, "\", found ",
                format.dump());
  const json& version = field(sidecar, "version", sidecar_path);
  TESSERA_CHECK(version == kImageSetVersion, sidecar_path, ": field 'version': expected ", kImageSetVersion, ", found ",
                version.dump());

  ImageSet set;
  set.path_ = sidecar_path;
  set.count_ = integer_field(sidecar, "count", 0, int64_t{1} << 32, sidecar_path);
  set.height_ = integer_field(sidecar, "height", 1, kMaxSide, sidecar_path);
  set.width_ = integer_field(sidecar, "width", 1, kMaxSide, sidecar_path);
  set.channels_ = integer_field(sidecar, "channels", 1, 4, sidecar_path);
  TESSERA_CHECK(set.channels_ != 2, sidecar_path, ": field 'channels': expected 1, 3 or 4, found 2");
  if (sidecar.contains("source") && sidecar["source"].is_string()) set.source_ = sidecar["source"];

  const std::string images_path = file_field(sidecar, "images", sidecar_path);
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

  const std::string captions_path = file_field(sidecar, "captions", sidecar_path);
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
