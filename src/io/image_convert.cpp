// The conversions between an image file's pixels and what a codec consumes: channel
// count, size, and the f32 (C, H, W) tensor in [-1, 1].
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "io/fields.h"
#include "io/image.h"

namespace tessera {

namespace {

// Clamps before rounding, so an infinity becomes 0 or 255 rather than undefined.
uint8_t round_to_u8(double value) { return static_cast<uint8_t>(std::lround(std::clamp(value, 0.0, 255.0))); }

// Source pixel `p` of `image` as opaque RGB, its alpha composited on white:
// out = a * c + (1 - a) * 255.
void composited_rgb(const Image& image, int64_t p, double rgb[3]) {
  const uint8_t* px = image.pixels.data() + p * image.channels;
  const bool grey = image.channels == 1;
  const double alpha = image.channels == 4 ? px[3] / 255.0 : 1.0;
  for (int k = 0; k < 3; ++k) rgb[k] = alpha * px[grey ? 0 : k] + (1.0 - alpha) * 255.0;
}

// One output position's source pixels along an axis and their weights (summing to 1).
struct Taps {
  std::vector<int64_t> index;
  std::vector<double> weight;
};

// The taps of every output position when an axis of `in` pixels becomes `out` pixels.
std::vector<Taps> axis_taps(int64_t in, int64_t out) {
  std::vector<Taps> taps(static_cast<size_t>(out));
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  for (int64_t o = 0; o < out; ++o) {
    Taps& t = taps[static_cast<size_t>(o)];
    if (out < in) {  // area: output pixel o covers source interval [o * scale, (o + 1) * scale)
      const double lo = o * scale, hi = (o + 1) * scale;
      for (int64_t i = static_cast<int64_t>(std::floor(lo)); i < std::min<int64_t>(in, std::ceil(hi)); ++i) {
        const double covered = std::min<double>(hi, i + 1) - std::max<double>(lo, i);
        if (covered > 0) {
          t.index.push_back(i);
          t.weight.push_back(covered / scale);
        }
      }
    } else {  // bilinear: the output centre o + 0.5 sits at source coordinate (o + 0.5) * scale
      const double x = std::clamp((o + 0.5) * scale - 0.5, 0.0, static_cast<double>(in - 1));
      const auto left = static_cast<int64_t>(std::floor(x));
      const int64_t right = std::min(left + 1, in - 1);
      const double frac = x - left;
      t.index = {left, right};
      t.weight = {1.0 - frac, frac};
    }
  }
  return taps;
}

}  // namespace

Image to_channels(const Image& image, int64_t channels) {
  check_image(image, "to_channels");
  TESSERA_CHECK(channels == 1 || channels == 3 || channels == 4, "to_channels: expected 1, 3 or 4 channels, found ",
                channels);
  if (channels == image.channels) return image;
  const int64_t count = image.height * image.width;
  Image out{image.height, image.width, channels, std::vector<uint8_t>(static_cast<size_t>(count * channels))};
  for (int64_t p = 0; p < count; ++p) {
    uint8_t* dst = out.pixels.data() + p * channels;
    if (channels == 4 && image.channels != 4) {  // the pixel keeps its colour and becomes opaque
      const uint8_t* src = image.pixels.data() + p * image.channels;
      for (int k = 0; k < 3; ++k) dst[k] = src[image.channels == 1 ? 0 : k];
      dst[3] = 255;
      continue;
    }
    double rgb[3];
    composited_rgb(image, p, rgb);
    if (channels == 1) {
      dst[0] = round_to_u8(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
    } else {
      for (int k = 0; k < 3; ++k) dst[k] = round_to_u8(rgb[k]);
    }
  }
  return out;
}

Image fit_image(const Image& image, int64_t height, int64_t width, int64_t channels) {
  if (channels < image.channels) return resize(to_channels(image, channels), height, width);
  return to_channels(resize(image, height, width), channels);
}

Image resize(const Image& image, int64_t height, int64_t width) {
  check_image(image, "resize");
  TESSERA_CHECK(height > 0 && width > 0, "resize: expected a positive target size, found ", height, "x", width);
  if (height == image.height && width == image.width) return image;
  const int64_t c = image.channels;
  // Rows first into f64 (H_out, W_in, C), then columns, rounding once at the end.
  const std::vector<Taps> rows = axis_taps(image.height, height);
  std::vector<double> mid(static_cast<size_t>(height * image.width * c), 0.0);
  for (int64_t y = 0; y < height; ++y) {
    const Taps& t = rows[static_cast<size_t>(y)];
    double* dst = mid.data() + y * image.width * c;
    for (size_t k = 0; k < t.index.size(); ++k) {
      const uint8_t* src = image.pixels.data() + t.index[k] * image.width * c;
      for (int64_t i = 0; i < image.width * c; ++i) dst[i] += t.weight[k] * src[i];
    }
  }
  const std::vector<Taps> cols = axis_taps(image.width, width);
  Image out{height, width, c, std::vector<uint8_t>(static_cast<size_t>(height * width * c))};
  for (int64_t y = 0; y < height; ++y) {
    const double* src = mid.data() + y * image.width * c;
    for (int64_t x = 0; x < width; ++x) {
      const Taps& t = cols[static_cast<size_t>(x)];
      for (int64_t ch = 0; ch < c; ++ch) {
        double sum = 0.0;
        for (size_t k = 0; k < t.index.size(); ++k) sum += t.weight[k] * src[t.index[k] * c + ch];
        out.pixels[static_cast<size_t>((y * width + x) * c + ch)] = round_to_u8(sum);
      }
    }
  }
  return out;
}

// (H, W, C) u8 -> (C, H, W) f32
void pixels_to_chw(const uint8_t* hwc, int64_t height, int64_t width, int64_t channels, float* chw) {
  const int64_t plane = height * width;
  for (int64_t p = 0; p < plane; ++p) {
    for (int64_t ch = 0; ch < channels; ++ch) chw[ch * plane + p] = hwc[p * channels + ch] / 127.5f - 1.0f;
  }
}

// (H, W, C) u8 -> (C, H, W) f32
Tensor image_to_tensor(const Image& image) {
  check_image(image, "image_to_tensor");
  Tensor out = Tensor::empty({image.channels, image.height, image.width});
  pixels_to_chw(image.pixels.data(), image.height, image.width, image.channels, out.data<float>());
  return out;
}

// (C, H, W) f32 -> (H, W, C) u8
Tensor fitted_batch(std::span<const Image> images, int64_t height, int64_t width, int64_t channels) {
  const int64_t plane = channels * height * width;
  Tensor out = Tensor::empty({static_cast<int64_t>(images.size()), channels, height, width});
  for (size_t i = 0; i < images.size(); ++i) {
    const Image fitted = fit_image(images[i], height, width, channels);
    pixels_to_chw(fitted.pixels.data(), height, width, channels, out.data<float>() + static_cast<int64_t>(i) * plane);
  }
  return out;
}

void image_shape_fields(Fields& f, int64_t& height, int64_t& width, int64_t& channels) {
  f.section(
      "image",
      [&](Fields& image) {
        image.integer("height", height, {.min = 1, .required = true});
        image.integer("width", width, {.min = 1, .required = true});
        image.integer("channels", channels, {.min = 1, .required = true});
        image.check(channels == 1 || channels == 3 || channels == 4, "channels", "1 (grey), 3 (RGB) or 4 (RGBA)",
                    channels);
      },
      true);
}

Image tensor_to_image(const Tensor& chw) {
  TESSERA_CHECK(chw.ndim() == 3, "tensor_to_image: expected a (C, H, W) tensor, found shape ", shape_str(chw.shape()));
  chw.check_dtype(DType::f32, "tensor_to_image");
  Image image{chw.size(1), chw.size(2), chw.size(0), std::vector<uint8_t>(static_cast<size_t>(chw.numel()))};
  check_image(image, "tensor_to_image: shape " + shape_str(chw.shape()));
  const float* src = chw.data<float>();
  const int64_t plane = image.height * image.width;
  for (int64_t ch = 0; ch < image.channels; ++ch) {
    for (int64_t p = 0; p < plane; ++p) {
      const float v = src[ch * plane + p];
      TESSERA_CHECK(!std::isnan(v), "tensor_to_image: element ", index_str(ch * plane + p, chw.shape()), " is NaN");
      image.pixels[static_cast<size_t>(p * image.channels + ch)] = round_to_u8((static_cast<double>(v) + 1.0) * 127.5);
    }
  }
  return image;
}

}  // namespace tessera
