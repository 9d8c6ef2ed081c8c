// Image files (PNG, JPEG through stb_image) and the conversions a codec asks for.
#include <gtest/gtest.h>
#include <stb_image_write.h>

#include <cmath>
#include <fstream>

#include "io/atomic_file.h"
#include "io/image.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

// A deterministic pattern, different in every pixel and channel.
Image pattern(int64_t height, int64_t width, int64_t channels) {
  Image image{height, width, channels, std::vector<uint8_t>(static_cast<size_t>(height * width * channels))};
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>((i * 37 + i / 5) % 256);
  return image;
}

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

TEST(Image, PngRoundTripKeepsEveryChannelCount) {
  TempDir dir;
  for (int64_t channels : {1, 3, 4}) {
    const Image image = pattern(5, 7, channels);
    const std::string path = dir.path(str("c", channels, ".png"));
    write_png(path, image);
    const Image back = read_image(path);
    EXPECT_EQ(back.height, 5);
    EXPECT_EQ(back.width, 7);
    EXPECT_EQ(back.channels, channels);
    EXPECT_EQ(back.pixels, image.pixels) << channels << " channels";
  }
}

TEST(Image, ReadsJpeg) {
  TempDir dir;
  // A smooth gradient survives JPEG's quantization within a few levels.
  Image image{16, 24, 3, std::vector<uint8_t>(16 * 24 * 3)};
  for (int64_t y = 0; y < 16; ++y) {
    for (int64_t x = 0; x < 24; ++x) {
      uint8_t* px = image.pixels.data() + (y * 24 + x) * 3;
      px[0] = static_cast<uint8_t>(40 + 8 * x);
      px[1] = static_cast<uint8_t>(30 + 10 * y);
      px[2] = 128;
    }
  }
  const std::string path = dir.path("gradient.jpg");
  ASSERT_NE(stbi_write_jpg(path.c_str(), 24, 16, 3, image.pixels.data(), 95), 0);
  const Image back = read_image(path);
  ASSERT_EQ(back.height, 16);
  ASSERT_EQ(back.width, 24);
  ASSERT_EQ(back.channels, 3);
  int worst = 0;
  for (size_t i = 0; i < image.pixels.size(); ++i) worst = std::max(worst, std::abs(back.pixels[i] - image.pixels[i]));
  EXPECT_LE(worst, 8);
}

TEST(Image, ChannelConversions) {
  const Image grey{1, 2, 1, {0, 200}};
  EXPECT_EQ(to_channels(grey, 3).pixels, (std::vector<uint8_t>{0, 0, 0, 200, 200, 200}));
  EXPECT_EQ(to_channels(grey, 4).pixels, (std::vector<uint8_t>{0, 0, 0, 255, 200, 200, 200, 255}));
  EXPECT_EQ(to_channels(to_channels(grey, 3), 1).pixels, grey.pixels);

  // Rec. 601 luma: 0.299 * 255 = 76.2, 0.587 * 255 = 149.7, 0.114 * 255 = 29.1.
  const Image rgb{1, 3, 3, {255, 0, 0, 0, 255, 0, 0, 0, 255}};
  EXPECT_EQ(to_channels(rgb, 1).pixels, (std::vector<uint8_t>{76, 150, 29}));

  // Transparent -> white, opaque keeps its colour, half alpha is halfway to white.
  const Image rgba{1, 3, 4, {10, 20, 30, 0, 10, 20, 30, 255, 0, 100, 255, 51}};
  EXPECT_EQ(to_channels(rgba, 3).pixels,
            (std::vector<uint8_t>{255, 255, 255, 10, 20, 30, 204, 224, 255}));  // 0.2 * c + 0.8 * 255
  EXPECT_EQ(to_channels(rgba, 1).pixels[0], 255);
  EXPECT_EQ(to_channels(rgba, 4).pixels, rgba.pixels);

  expect_error([&] { to_channels(grey, 2); }, {"to_channels", "expected 1, 3 or 4 channels, found 2"});
  expect_error([&] { to_channels(Image{2, 2, 3, {1, 2, 3}}, 1); }, {"to_channels", "2x2x3", "needs 12 bytes, found 3"});
}

TEST(Image, FitImageConvertsChannelsOnTheSmallerSide) {
  Image rgba{4, 6, 4, {}};
  for (int64_t i = 0; i < 4 * 6; ++i) {
    rgba.pixels.insert(rgba.pixels.end(), {static_cast<uint8_t>(i * 9), 40, static_cast<uint8_t>(250 - i), 200});
  }
  // Fewer channels out: converted first, then resized; more: resized first.
  EXPECT_EQ(fit_image(rgba, 2, 3, 1).pixels, resize(to_channels(rgba, 1), 2, 3).pixels);
  const Image grey = to_channels(rgba, 1);
  const Image rgb = fit_image(grey, 8, 12, 3);
  EXPECT_EQ(rgb.pixels, to_channels(resize(grey, 8, 12), 3).pixels);
  EXPECT_EQ((std::vector<int64_t>{rgb.height, rgb.width, rgb.channels}), (std::vector<int64_t>{8, 12, 3}));
  EXPECT_EQ(fit_image(grey, 4, 6, 1).pixels, grey.pixels);  // already the codec's shape
}

TEST(Image, ResizeOfAConstantImageStaysConstant) {
  Image flat{9, 13, 3, {}};
  for (int64_t i = 0; i < 9 * 13; ++i) flat.pixels.insert(flat.pixels.end(), {17, 130, 251});
  for (auto [h, w] : {std::pair<int64_t, int64_t>{4, 5}, {20, 31}, {3, 40}, {1, 1}, {9, 13}, {7, 13}}) {
    const Image out = resize(flat, h, w);
    ASSERT_EQ(out.height, h);
    ASSERT_EQ(out.width, w);
    for (int64_t p = 0; p < h * w; ++p) {
      ASSERT_EQ(out.pixels[p * 3], 17) << h << "x" << w;
      ASSERT_EQ(out.pixels[p * 3 + 1], 130) << h << "x" << w;
      ASSERT_EQ(out.pixels[p * 3 + 2], 251) << h << "x" << w;
    }
  }
}

TEST(Image, HalvingAveragesEachTwoByTwoBlock) {
  const Image image = pattern(6, 8, 3);
  const Image half = resize(image, 3, 4);
  for (int64_t y = 0; y < 3; ++y) {
    for (int64_t x = 0; x < 4; ++x) {
      for (int64_t c = 0; c < 3; ++c) {
        const auto at = [&](int64_t yy, int64_t xx) { return image.pixels[(yy * 8 + xx) * 3 + c]; };
        const int sum = at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1);
        EXPECT_EQ(half.pixels[(y * 4 + x) * 3 + c], std::lround(sum / 4.0)) << y << "," << x << "," << c;
      }
    }
  }
}

TEST(Image, GrowingIsBilinear) {
  // Two pixels 0 and 200 doubled: centres at 0.25 and 0.75 of the way between edge-clamped ends.
  const Image image{1, 2, 1, {0, 200}};
  EXPECT_EQ(resize(image, 1, 4).pixels, (std::vector<uint8_t>{0, 50, 150, 200}));
  expect_error([&] { resize(image, 0, 3); }, {"resize", "positive target size", "0x3"});
}

TEST(Image, TensorRoundTripIsChwInMinusOneToOne) {
  const Image image{1, 2, 3, {0, 255, 51, 102, 153, 204}};
  const Tensor t = image_to_tensor(image);
  EXPECT_EQ(t.shape(), (Shape{3, 1, 2}));
  const std::vector<float> v = t.to_vector();
  const std::vector<float> expected = {-1.0f, -0.2f, 1.0f, 0.2f, -0.6f, 0.6f};  // channel planes
  for (size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], expected[i], 1e-6) << i;
  EXPECT_EQ(tensor_to_image(t).pixels, image.pixels);

  // Out of range values clamp; values between levels round to the nearest.
  const Tensor wild = Tensor::from_vector(std::vector<float>{-3.0f, 2.5f, 0.0f, -0.99f}, {1, 2, 2});
  EXPECT_EQ(tensor_to_image(wild).pixels, (std::vector<uint8_t>{0, 255, 128, 1}));

  expect_error([&] { tensor_to_image(Tensor::zeros({2, 2})); }, {"tensor_to_image", "(C, H, W)", "(2, 2)"});
  expect_error([&] { tensor_to_image(Tensor::zeros({2, 3, 3})); }, {"tensor_to_image", "(2, 3, 3)", "found 2"});
  expect_error(
      [&] {
        tensor_to_image(Tensor::from_vector(std::vector<float>{0.0f, NAN}, {1, 1, 2}));
      },
      {"tensor_to_image", "[0, 0, 1]", "NaN"});
}

TEST(Image, TextFileNamedPngIsNotAnImage) {
  TempDir dir;
  const std::string path = dir.path("notes.png");
  write_bytes(path, "hello, this is text\n");
  expect_error([&] { read_image(path); }, {path, "not an image", "\"hello, t\"", "match no image signature"});
}

TEST(Image, TruncatedPngNamesTheFormat) {
  TempDir dir;
  const std::string whole = dir.path("whole.png");
  write_png(whole, pattern(32, 32, 3));
  const std::string bytes = read_file(whole);

  const std::string cut = dir.path("cut.png");
  write_bytes(cut, bytes.substr(0, bytes.size() / 2));
  expect_error([&] { read_image(cut); }, {cut, "PNG", "truncated or corrupt"});

  const std::string stub = dir.path("stub.png");
  write_bytes(stub, bytes.substr(0, 12));  // the signature, then nothing of the header
  expect_error([&] { read_image(stub); }, {stub, "PNG", "header cannot be read"});
}

TEST(Image, MissingAndEmptyFiles) {
  TempDir dir;
  const std::string missing = dir.path("absent.png");
  expect_error([&] { read_image(missing); }, {missing, "No such file"});
  const std::string empty = dir.path("empty.jpg");
  write_bytes(empty, "");
  expect_error([&] { read_image(empty); }, {empty, "empty file"});
}

}  // namespace
}  // namespace tessera
