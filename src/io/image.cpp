#include "io/image.h"

#include <stb_image.h>
#include <stb_image_write.h>

#include <climits>
#include <cstring>
#include <memory>
#include <string_view>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/byte_preview.h"

namespace tessera {

namespace {

// The format a file's first bytes announce, or "" when they match no signature. TGA has
// none, so a file that is not an image is only recognized as such after stb tried it.
std::string signature_format(std::string_view bytes) {
  struct Signature {
    const char* format;
    std::string_view magic;
  };
  static const Signature signatures[] = {
      {"PNG", std::string_view("\x89PNG\r\n\x1a\n", 8)},
      {"JPEG", std::string_view("\xff\xd8\xff", 3)},
      {"GIF", "GIF8"},
      {"BMP", "BM"},
      {"PSD", "8BPS"},
      {"HDR", "#?RADIANCE"},
      {"HDR", "#?RGBE"},
      {"PIC", std::string_view("\x53\x80\xf6\x34", 4)},
  };
  for (const Signature& s : signatures) {
    if (bytes.starts_with(s.magic)) return s.format;
  }
  if (bytes.size() >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6')) return "PNM";
  return "";
}

struct StbFree {
  void operator()(stbi_uc* pixels) const { stbi_image_free(pixels); }
};

}  // namespace

Image read_image(const std::string& path) {
  const std::string bytes = read_file(path);
  TESSERA_CHECK(!bytes.empty(), path, ": empty file: expected an image (PNG, JPEG, ...)");
  TESSERA_CHECK(bytes.size() <= static_cast<size_t>(INT_MAX), path, ": ", bytes.size(),
                " bytes: images over 2 GiB are not supported");
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int size = static_cast<int>(bytes.size());
  const std::string format = signature_format(bytes);
  int width = 0, height = 0, file_channels = 0;
  if (stbi_info_from_memory(data, size, &width, &height, &file_channels) == 0) {
    TESSERA_CHECK(
        !format.empty(), path, ": not an image: the first bytes are ", first_bytes(bytes),
        ", which match no image signature (PNG, JPEG, GIF, BMP, PSD, HDR, PIC, PNM) and do not decode as TGA");
    fail(path, ": a ", format,
         " file whose header cannot be read (truncated or corrupt; stb_image: ", stbi_failure_reason(), ")");
  }
  // stb gives grey + alpha as 2 channels; the engine's images have 1, 3 or 4.
  const int channels = file_channels == 2 ? 4 : file_channels;
  std::unique_ptr<stbi_uc, StbFree> pixels(
      stbi_load_from_memory(data, size, &width, &height, &file_channels, channels));
  TESSERA_CHECK(pixels != nullptr, path, ": a ", format.empty() ? "TGA" : format,
                " file that cannot be decoded (truncated or corrupt; stb_image: ", stbi_failure_reason(), ")");
  Image image{height, width, channels, {}};
  image.pixels.assign(pixels.get(), pixels.get() + static_cast<size_t>(height) * width * channels);
  return image;
}

void check_image(const Image& image, const std::string& what) {
  TESSERA_CHECK(image.channels == 1 || image.channels == 3 || image.channels == 4, what,
                ": expected 1, 3 or 4 channels, found ", image.channels);
  TESSERA_CHECK(image.height > 0 && image.width > 0, what, ": expected a positive height and width, found ",
                image.height, "x", image.width);
  TESSERA_CHECK(static_cast<int64_t>(image.pixels.size()) == image.height * image.width * image.channels, what,
                ": an image of ", image.height, "x", image.width, "x", image.channels, " needs ",
                image.height * image.width * image.channels, " bytes, found ", image.pixels.size());
}

std::string encode_png(const Image& image, const std::string& what) {
  check_image(image, "cannot encode " + what + " as PNG");
  std::string png;
  const auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  const int ok = stbi_write_png_to_func(append, &png, static_cast<int>(image.width), static_cast<int>(image.height),
                                        static_cast<int>(image.channels), image.pixels.data(),
                                        static_cast<int>(image.width * image.channels));
  TESSERA_CHECK(ok != 0, what, ": PNG encoding failed");
  return png;
}

void write_png(const std::string& path, const Image& image) {
  write_file_atomically(path, encode_png(image, "'" + path + "'"));
}

}  // namespace tessera
