#pragma once
// Image files and the conversions a codec asks for. Pixels travel as 8-bit interleaved
// rows: (H, W, C), C = 1 (grey), 3 (RGB) or 4 (RGBA). Models see them as f32 (C, H, W)
// in [-1, 1].
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tessera {

class Fields;

struct Image {
  int64_t height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;  // (H, W, C)
};

// Reads PNG, JPEG, BMP, GIF (first frame), PSD, TGA, HDR, PIC and PNM through stb_image,
// keeping the file's channels (grey + alpha becomes RGBA; 16-bit and HDR become 8-bit).
// A missing, empty, truncated or non-image file is an error naming the file and what was
// found there.
Image read_image(const std::string& path);

// Writes a PNG atomically (temporary file + rename).
void write_png(const std::string& path, const Image& image);
// The PNG file's bytes, in memory (a report embeds them); `what` names the image in errors.
std::string encode_png(const Image& image, const std::string& what = "image");

// Checks that `image` holds height x width x channels bytes with 1, 3 or 4 channels;
// `what` names it in the message.
void check_image(const Image& image, const std::string& what);

// To 1, 3 or 4 channels. Transparency is composited on white (an emoji's background);
// colour becomes grey by Rec. 601 luma (0.299 R + 0.587 G + 0.114 B), as most image
// libraries do; grey becomes RGB by copying; a new alpha channel is opaque.
Image to_channels(const Image& image, int64_t channels);

// To (height, width), each axis on its own: area averaging where it shrinks (every source
// pixel counts by the fraction of it an output pixel covers, so no detail is skipped),
// bilinear where it grows (pixel centres at half-integers, edges clamped).
Image resize(const Image& image, int64_t height, int64_t width);

// To (height, width, channels) as a codec takes it: resize and to_channels, the channel
// conversion on the side with fewer channels (the cheaper one), so a codec's input is the
// same however an image reaches it (a corpus build, a prompt).
Image fit_image(const Image& image, int64_t height, int64_t width, int64_t channels);

// (H, W, C) u8 -> (C, H, W) f32 with v / 127.5 - 1, so 0 -> -1 and 255 -> 1.
void pixels_to_chw(const uint8_t* hwc, int64_t height, int64_t width, int64_t channels, float* chw);
// (H, W, C) u8 -> (C, H, W) f32 tensor in [-1, 1].
Tensor image_to_tensor(const Image& image);
// Every image through fit_image into one batch: (N, channels, height, width) f32 in [-1, 1].
Tensor fitted_batch(std::span<const Image> images, int64_t height, int64_t width, int64_t channels);

// The "image" section of a model's config, {"height", "width", "channels"}, each required:
// the input size of a codec or a judge (channels 1, 3 or 4).
void image_shape_fields(Fields& f, int64_t& height, int64_t& width, int64_t& channels);
// (C, H, W) f32 in [-1, 1] -> (H, W, C) u8: round((x + 1) * 127.5), clamped to [0, 255].
// C must be 1, 3 or 4; a NaN is an error naming its index.
Image tensor_to_image(const Tensor& chw);

}  // namespace tessera
