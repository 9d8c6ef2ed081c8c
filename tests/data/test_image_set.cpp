// The raw image set format: a sidecar, one file of u8 pixels, one file of captions.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/image_set.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera::data {
namespace {

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// A split "tiny" of 3 images of 2x2x3: image i, pixel p, channel c holds 40 i + 10 p + c.
class ImageSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i) {
      for (int p = 0; p < 4; ++p) {
        for (int c = 0; c < 3; ++c) pixels.push_back(static_cast<char>(40 * i + 10 * p + c));
      }
    }
    write_bytes(dir.path("tiny.images.u8"), pixels);
    write_bytes(dir.path("tiny.captions.txt"), "red circle: round\nankle boot\ngrinning face: face, grin\n");
    write_sidecar();
  }
  void write_sidecar() { write_bytes(sidecar(), sidecar_json.dump()); }
  std::string sidecar() const { return dir.path("tiny.json"); }

  TempDir dir;
  std::string pixels;
  nlohmann::json sidecar_json = {{"format", "tessera-image-set"},
                                 {"version", 1},
                                 {"count", 3},
                                 {"height", 2},
                                 {"width", 2},
                                 {"channels", 3},
                                 {"images", "tiny.images.u8"},
                                 {"captions", "tiny.captions.txt"},
                                 {"source", "made by the test"},
                                 {"split", "all"}};
};

TEST_F(ImageSetTest, LoadsImagesAndCaptions) {
  const ImageSet set = ImageSet::load(image_set_path(dir.root().string(), "tiny"));
  EXPECT_EQ(set.size(), 3);
  EXPECT_EQ(set.height(), 2);
  EXPECT_EQ(set.width(), 2);
  EXPECT_EQ(set.channels(), 3);
  EXPECT_EQ(set.source(), "made by the test");
  EXPECT_EQ(set.caption(1), "ankle boot");
  const Image second = set.image(1);
  EXPECT_EQ(second.pixels, std::vector<uint8_t>(pixels.begin() + 12, pixels.begin() + 24));
}

TEST_F(ImageSetTest, BatchIsBchwInMinusOneToOne) {
  const ImageSet set = ImageSet::load(sidecar());
  const std::vector<int64_t> indices = {2, 0, 2};
  const ImageBatch batch = set.batch(indices);
  EXPECT_EQ(batch.images.shape(), (Shape{3, 3, 2, 2}));
  EXPECT_EQ(batch.captions,
            (std::vector<std::string>{"grinning face: face, grin", "red circle: round", "grinning face: face, grin"}));
  const std::vector<float> v = batch.images.to_vector();
  for (int64_t b = 0; b < 3; ++b) {
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t p = 0; p < 4; ++p) {
        const float expected = (40 * indices[b] + 10 * p + c) / 127.5f - 1.0f;
        EXPECT_FLOAT_EQ(v[((b * 3 + c) * 4) + p], expected) << b << "," << c << "," << p;
      }
    }
  }
  EXPECT_EQ(set.batch(std::vector<int64_t>{}).images.shape(), (Shape{0, 3, 2, 2}));
}

TEST_F(ImageSetTest, ImagesOfTheWrongSizeAreRejected) {
  write_bytes(dir.path("tiny.images.u8"), pixels.substr(0, 35));
  expect_error([&] { ImageSet::load(sidecar()); }, {dir.path("tiny.images.u8"), "expected 36 bytes", "field 'count'",
                                                    "3 images of 2x2x3", "found 35 bytes"});
  write_bytes(dir.path("tiny.images.u8"), pixels + "x");
  expect_error([&] { ImageSet::load(sidecar()); }, {"expected 36 bytes", "found 37 bytes"});
}

TEST_F(ImageSetTest, CaptionCountMustMatch) {
  write_bytes(dir.path("tiny.captions.txt"), "one\ntwo\n");
  expect_error([&] { ImageSet::load(sidecar()); },
               {dir.path("tiny.captions.txt"), "expected 3 captions", "found 2 lines"});
  write_bytes(dir.path("tiny.captions.txt"), "one\ntwo\nthree");  // no final newline: still three
  EXPECT_EQ(ImageSet::load(sidecar()).caption(2), "three");
}

TEST_F(ImageSetTest, SidecarFieldsAreChecked) {
  const auto expect_field_error = [&](const char* name, nlohmann::json value,
                                      std::initializer_list<std::string> parts) {
    nlohmann::json saved = sidecar_json;
    sidecar_json[name] = std::move(value);
    write_sidecar();
    expect_error([&] { ImageSet::load(sidecar()); }, parts);
    sidecar_json = saved;
  };
  expect_field_error("format", "tessera-model", {sidecar(), "field 'format'", "tessera-image-set", "tessera-model"});
  expect_field_error("version", 2, {sidecar(), "field 'version'", "expected 1", "found 2"});
  expect_field_error("channels", 2, {sidecar(), "field 'channels'", "expected 1, 3 or 4", "found 2"});
  expect_field_error("channels", 5, {"field 'channels'", "[1, 4]", "found 5"});
  expect_field_error("height", "2", {"field 'height'", "expected an integer", "found \"2\""});
  expect_field_error("count", -1, {"field 'count'", "found -1"});
  expect_field_error("colour", true, {sidecar(), "field 'colour': unknown field (a typo?)"});
  expect_field_error("images", "absent.u8", {dir.path("absent.u8"), "cannot read the images named by", sidecar()});

  sidecar_json.erase("width");
  write_sidecar();
  expect_error([&] { ImageSet::load(sidecar()); },
               {sidecar(), "field 'width': expected an integer in [1, 65536], found nothing"});
  write_bytes(sidecar(), "{\"format\": ");
  expect_error([&] { ImageSet::load(sidecar()); }, {sidecar(), "not valid JSON"});
  expect_error([&] { ImageSet::load(dir.path("other.json")); }, {dir.path("other.json"), "No such file"});
}

TEST_F(ImageSetTest, IndicesOutOfRangeAreErrors) {
  const ImageSet set = ImageSet::load(sidecar());
  expect_error([&] { set.caption(3); }, {sidecar(), "image index 3 out of range", "holds 3 images"});
  expect_error([&] { set.batch(std::vector<int64_t>{0, -1}); }, {"image index -1 out of range"});
}

// The Python writer the data scripts use produces what this reader accepts.
TEST(ImageSetInterop, ReadsWhatTheDataScriptsWrite) {
  TempDir dir;
  const std::string script =
      "import sys; sys.path.insert(0, sys.argv[1]); import numpy as np, image_set; "
      "images = (np.arange(2 * 3 * 4 * 1) * 9 % 256).astype(np.uint8).reshape(2, 3, 4, 1); "
      "image_set.write_split(sys.argv[2], 'valid', images, ['first', 'sécond'], 'test', 'none')";
  const std::string command =
      "/usr/bin/python3 -c \"" + script + "\" '" + TESSERA_SOURCE_DIR + "/scripts/data' '" + dir.root().string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const ImageSet set = ImageSet::load(image_set_path(dir.root().string(), "valid"));
  EXPECT_EQ(set.size(), 2);
  EXPECT_EQ(set.height(), 3);
  EXPECT_EQ(set.width(), 4);
  EXPECT_EQ(set.channels(), 1);
  EXPECT_EQ(set.caption(1), "sécond");
  EXPECT_EQ(set.image(1).pixels[0], 12 * 9 % 256);
}

}  // namespace
}  // namespace tessera::data
