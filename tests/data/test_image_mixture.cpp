// Several image sets as one: each fitted to the codec's size (or refused), the sets one after
// another, a limit per set, and the balanced draw that repeats the smaller set.
#include "data/image_mixture.h"

#include <gtest/gtest.h>

#include "io/image.h"
#include "support/expect_error.h"
#include "support/synthetic_images.h"
#include "support/temp_dir.h"

namespace tessera::data {
namespace {

using testing::smooth_blobs;

class ImageMixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_image_set(dir.path("grey"), "train", grey);
    testing::write_image_set(dir.path("colour"), "train", colour);
  }
  std::vector<uint8_t> image_bytes(const ImageArray& a, int64_t i) const {
    const int64_t n = a.height * a.width * a.channels;
    return {a.pixels + i * n, a.pixels + (i + 1) * n};
  }

  TempDir dir;
  testing::SyntheticImages grey = smooth_blobs(6, 16, 16, 1, 1), colour = smooth_blobs(2, 8, 8, 3, 2);
};

TEST_F(ImageMixtureTest, FitsEverySetToOneSizeAndKeepsTheirOrder) {
  const ImageMixture m = ImageMixture::load({dir.path("grey"), dir.path("colour")}, "train", 16, 16, 1, true);
  ASSERT_EQ(m.size(), 8);
  ASSERT_EQ(m.parts().size(), 2u);
  EXPECT_EQ(m.parts()[0].name, "grey");
  EXPECT_EQ(m.parts()[1].name, "colour");
  EXPECT_EQ(m.parts()[1].first, 6);
  EXPECT_EQ(m.parts()[1].count, 2);
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(image_bytes(m.array(), i), image_bytes(grey.array(), i)) << i;
  for (int64_t i = 0; i < 2; ++i) {
    const std::vector<uint8_t> original = image_bytes(colour.array(), i);
    const Image fitted = fit_image(Image{8, 8, 3, original}, 16, 16, 1);
    EXPECT_EQ(image_bytes(m.array(), 6 + i), fitted.pixels) << i;
    EXPECT_EQ(image_bytes(m.part_array(1), i), fitted.pixels) << i;
  }
}

TEST_F(ImageMixtureTest, ALimitTakesTheFirstImagesOfEachSet) {
  const ImageMixture m = ImageMixture::load({dir.path("grey"), dir.path("colour")}, "train", 16, 16, 1, true, 3);
  EXPECT_EQ(m.size(), 5);
  EXPECT_EQ(m.parts()[0].count, 3);
  EXPECT_EQ(m.parts()[1].count, 2);
  EXPECT_EQ(image_bytes(m.array(), 2), image_bytes(grey.array(), 2));
}

TEST_F(ImageMixtureTest, BalancedIndicesRepeatTheSmallerSet) {
  const ImageMixture m = ImageMixture::load({dir.path("grey"), dir.path("colour")}, "train", 16, 16, 1, true);
  EXPECT_EQ(m.balanced_indices(), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 6, 7, 6, 7}));
}

TEST_F(ImageMixtureTest, WithoutFitASetOfAnotherSizeIsRefused) {
  EXPECT_NO_THROW(ImageMixture::load({dir.path("grey")}, "train", 16, 16, 1, false));
  expect_error([&] { ImageMixture::load({dir.path("grey"), dir.path("colour")}, "train", 16, 16, 1, false); },
               {"colour split train: images are 8 x 8 x 3 (H x W x C), the codec's config says 16 x 16 x 1",
                "data.fit in a recipe"});
  expect_error([&] { ImageMixture::load({dir.path("grey"), dir.path("none")}, "train", 16, 16, 1, true); },
               {"none", "train.json"});
}

}  // namespace
}  // namespace tessera::data
