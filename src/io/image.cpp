#include "io/image.h"

#include <stb_image_write.h>

#include "core/error.h"
#include "io/atomic_file.h"

namespace tessera {

void write_png(const std::string& path, const Image& image) {
  TESSERA_CHECK(image.channels >= 1 && image.channels <= 4, path, ": cannot write a PNG with ", image.channels,
                " channels: expected 1 to 4");
  TESSERA_CHECK(image.height > 0 && image.width > 0 &&
                    static_cast<int64_t>(image.pixels.size()) == image.height * image.width * image.channels,
                path, ": image of ", image.height, "x", image.width, "x", image.channels, " needs ",
                image.height * image.width * image.channels, " bytes, found ", image.pixels.size());
  std::string png;
  const auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  const int ok = stbi_write_png_to_func(append, &png, static_cast<int>(image.width), static_cast<int>(image.height),
                                        static_cast<int>(image.channels), image.pixels.data(),
                                        static_cast<int>(image.width * image.channels));
  TESSERA_CHECK(ok != 0, path, ": PNG encoding failed");
  write_file_atomically(path, png);
}

}  // namespace tessera
