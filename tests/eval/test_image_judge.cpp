// The image judge: its parameter names, its file (a round trip, and what a missing, corrupt
// or foreign file says), and judging: deterministic, the same in batches as one by one,
// every image fitted to the judge's input whatever its size and channels.
#include <gtest/gtest.h>

#include "eval/image_judge.h"
#include "io/atomic_file.h"
#include "support/expect_error.h"
#include "support/synthetic_images.h"
#include "support/temp_dir.h"

namespace tessera::eval {
namespace {

ImageJudgeConfig tiny_config() {
  return ImageJudgeConfig::from_json({{"image", {{"height", 16}, {"width", 16}, {"channels", 1}}},
                                      {"model", {{"widths", {8, 16}}, {"features", 8}, {"norm_groups", 4}}},
                                      {"classes", {"bag", "boot", "coat"}}},
                                     "tiny judge config");
}

// The synthetic images as Images, (H, W, C) each.
std::vector<Image> images_of(const testing::SyntheticImages& s) {
  std::vector<Image> out;
  const size_t plane = static_cast<size_t>(s.height * s.width * s.channels);
  for (int64_t i = 0; i < s.count; ++i)
    out.push_back({s.height, s.width, s.channels,
                   std::vector<uint8_t>(s.pixels.begin() + i * plane, s.pixels.begin() + (i + 1) * plane)});
  return out;
}

TEST(ImageJudge, HasStableParameterNames) {
  Rng rng(1);
  const ImageJudge judge(tiny_config(), rng);
  std::vector<std::string> names;
  for (const auto& [name, t] : judge.named_parameters()) names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"stem.weight", "stem.bias", "down.0.norm.weight", "down.0.norm.bias",
                                      "down.0.conv.weight", "down.0.conv.bias", "norm_out.weight", "norm_out.bias",
                                      "features.weight", "features.bias", "head.weight", "head.bias"}));
  // 16 -> 8 positions after the one stride-2 convolution: the features read 16 x 8 x 8.
  EXPECT_EQ(judge.named_parameters()[8].second.shape(), (Shape{8, 16 * 8 * 8}));
  EXPECT_EQ(judge.named_parameters()[10].second.shape(), (Shape{3, 8}));
}

TEST(ImageJudge, SavesAndLoadsTheSameJudge) {
  TempDir dir;
  Rng rng(2);
  const ImageJudge judge(tiny_config(), rng);
  judge.save(dir.path("judge.safetensors"));
  const ImageJudge loaded = ImageJudge::load(dir.path("judge.safetensors"));
  EXPECT_EQ(loaded.config().to_json(), judge.config().to_json());
  EXPECT_EQ(loaded.classes(), (std::vector<std::string>{"bag", "boot", "coat"}));
  const auto saved = judge.named_parameters(), read = loaded.named_parameters();
  ASSERT_EQ(read.size(), saved.size());
  for (size_t i = 0; i < saved.size(); ++i) EXPECT_EQ(read[i].second.to_vector(), saved[i].second.to_vector());
  const std::vector<Image> images = images_of(testing::smooth_blobs(5, 16, 16, 1, 3));
  EXPECT_EQ(loaded.features(images).to_vector(), judge.features(images).to_vector());
  loaded.save(dir.path("again.safetensors"));
  EXPECT_EQ(read_file(dir.path("again.safetensors")), read_file(dir.path("judge.safetensors")));
}

TEST(ImageJudge, AMissingCorruptOrForeignFileIsAnErrorNamingIt) {
  TempDir dir;
  expect_error([&] { ImageJudge::load(dir.path("none.safetensors")); }, {"none.safetensors"});
  write_file_atomically(dir.path("junk.safetensors"), "not a safetensors file at all");
  expect_error([&] { ImageJudge::load(dir.path("junk.safetensors")); }, {"junk.safetensors"});

  Rng rng(3);
  const ImageJudge judge(tiny_config(), rng);
  write_safetensors(dir.path("other.safetensors"), judge.named_parameters(), {{"format", "tessera-image-codec"}});
  expect_error([&] { ImageJudge::load(dir.path("other.safetensors")); },
               {"other.safetensors", "'format'", "tessera-image-judge"});
  write_safetensors(dir.path("bare.safetensors"), judge.named_parameters());
  expect_error([&] { ImageJudge::load(dir.path("bare.safetensors")); }, {"bare.safetensors", "an image judge file"});

  nn::NamedTensors missing = judge.named_parameters();
  missing.pop_back();
  ImageJudgeConfig config = tiny_config();
  write_safetensors(dir.path("short.safetensors"), missing,
                    {{"format", ImageJudge::kFormat}, {"version", "1"}, {"config", config.to_json().dump()}});
  expect_error([&] { ImageJudge::load(dir.path("short.safetensors")); }, {"short.safetensors", "head.bias", "missing"});
  config.classes = {"only"};
  write_safetensors(dir.path("one.safetensors"), judge.named_parameters(),
                    {{"format", ImageJudge::kFormat}, {"version", "1"}, {"config", config.to_json().dump()}});
  expect_error([&] { ImageJudge::load(dir.path("one.safetensors")); }, {"one.safetensors", "classes", "at least 2"});
}

TEST(ImageJudge, ClassifiesDeterministicallyAndAlikeInBatchesAndOneByOne) {
  Rng rng(4);
  const ImageJudge judge(tiny_config(), rng);
  // More than a batch, so the last batch is partial.
  const std::vector<Image> images = images_of(testing::smooth_blobs(ImageJudge::kBatch + 9, 16, 16, 1, 5));
  const std::vector<int64_t> labels = judge.classify(images);
  ASSERT_EQ(labels.size(), images.size());
  EXPECT_EQ(judge.classify(images), labels);
  for (const int64_t label : labels) EXPECT_TRUE(label >= 0 && label < 3) << label;
  const Tensor features = judge.features(images);
  EXPECT_EQ(features.shape(), (Shape{static_cast<int64_t>(images.size()), 8}));
  for (const size_t i : {size_t{0}, size_t{ImageJudge::kBatch}, images.size() - 1}) {
    const std::span<const Image> one(&images[i], 1);
    EXPECT_EQ(judge.classify(one), std::vector<int64_t>{labels[i]}) << "image " << i;
    const std::vector<float> alone = judge.features(one).to_vector(), all = features.to_vector();
    for (size_t k = 0; k < alone.size(); ++k) EXPECT_NEAR(alone[k], all[i * 8 + k], 1e-5) << "image " << i;
  }
  EXPECT_TRUE(judge.classify({}).empty());
  EXPECT_EQ(judge.features({}).shape(), (Shape{0, 8}));
}

TEST(ImageJudge, FitsImagesOfAnySizeAndChannelsToItsInput) {
  Rng rng(6);
  const ImageJudge judge(tiny_config(), rng);
  const std::vector<Image> colour = images_of(testing::smooth_blobs(4, 40, 24, 4, 7));
  std::vector<Image> fitted;
  for (const Image& image : colour) fitted.push_back(fit_image(image, 16, 16, 1));
  EXPECT_EQ(judge.features(colour).to_vector(), judge.features(fitted).to_vector());
  EXPECT_EQ(judge.classify(colour), judge.classify(fitted));
  Image broken = colour[0];
  broken.pixels.pop_back();
  const std::vector<Image> bad = {colour[1], broken};
  expect_error([&] { judge.classify(bad); }, {"image judge: image 1"});
}

TEST(ImageJudgeConfig, RefusesWidthsTheGroupsDoNotDivide) {
  expect_error(
      [] {
        ImageJudgeConfig::from_json({{"image", {{"height", 16}, {"width", 16}, {"channels", 1}}},
                                     {"model", {{"widths", {8, 10}}, {"norm_groups", 4}}},
                                     {"classes", {"a", "b"}}},
                                    "judge config");
      },
      {"judge config", "model.widths", "multiples of norm_groups 4", "10"});
}

}  // namespace
}  // namespace tessera::eval
