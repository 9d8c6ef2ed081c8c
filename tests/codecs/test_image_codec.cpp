// The image codec as a component: config, shapes, determinism, every code decoding, the
// file round trip and its refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numeric>

#include "codecs/image/image_codec.h"
#include "codecs/vocabulary.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "support/expect_error.h"
#include "support/synthetic_images.h"
#include "support/temp_dir.h"

namespace tessera::codecs {
namespace {

using testing::smooth_blobs;
using testing::tiny_codec_config;

Tensor blob_batch(int64_t n, int64_t channels, uint64_t seed) {
  const auto set = smooth_blobs(n, 16, 16, channels, seed);
  std::vector<int64_t> all(static_cast<size_t>(n));
  std::iota(all.begin(), all.end(), 0);
  return data::image_batch(set.array(), all);
}

nlohmann::json fashion_json() {
  return {{"image", {{"height", 28}, {"width", 28}, {"channels", 1}}},
          {"encoder", {{"widths", {32, 64, 128}}, {"downsamples", 2}, {"res_blocks", 1}}},
          {"quantizer", {{"type", "fsq"}, {"levels", {8, 5, 5, 5}}}}};
}

TEST(ImageCodecConfig, GridAndVocabularyFollowTheConfig) {
  const ImageCodecConfig fashion = ImageCodecConfig::from_json(fashion_json(), "c.json");
  EXPECT_EQ(fashion.codes_per_image(), 49);
  EXPECT_EQ(fashion.vocab_size(), 1000);
  EXPECT_EQ(fashion.latent_dim(), 4);
  EXPECT_EQ(fashion.norm_groups, 8);
  nlohmann::json emoji = fashion_json();
  emoji["image"] = {{"height", 64}, {"width", 64}, {"channels", 3}};
  emoji["encoder"]["widths"] = {16, 32, 64, 128};
  emoji["encoder"]["downsamples"] = 3;
  EXPECT_EQ(ImageCodecConfig::from_json(emoji, "e.json").codes_per_image(), 64);
  const ImageCodecConfig again = ImageCodecConfig::from_json(fashion.to_json(), "again");
  EXPECT_EQ(again.to_json(), fashion.to_json());
  const ImageCodecConfig vq = tiny_codec_config(1, true);
  EXPECT_EQ(ImageCodecConfig::from_json(vq.to_json(), "vq").to_json(), vq.to_json());
}

TEST(ImageCodecConfig, ErrorsNameTheFileAndField) {
  auto with = [](const char* section, const char* key, nlohmann::json value) {
    nlohmann::json j = fashion_json();
    j[section][key] = std::move(value);
    return j;
  };
  expect_error([&] { ImageCodecConfig::from_json(with("image", "channels", 2), "c.json"); },
               {"c.json", "field 'image.channels'", "expected 1 (grey), 3 (RGB) or 4 (RGBA), found 2"});
  expect_error([&] { ImageCodecConfig::from_json(with("encoder", "downsamples", 3), "c.json"); },
               {"c.json", "field 'encoder.downsamples'", "at most one fewer than the 3 levels", "found 3"});
  expect_error(
      [&] {
        ImageCodecConfig::from_json(with("encoder", "widths", {32, 60, 128}), "c.json");
      },
      {"field 'encoder.widths'", "multiples of norm_groups 8", "found 60"});
  expect_error([&] { ImageCodecConfig::from_json(with("quantizer", "type", "pq"), "c.json"); },
               {"field 'quantizer.type'", "expected \"fsq\" or \"vq\", found \"pq\""});
  expect_error(
      [&] {
        ImageCodecConfig::from_json(with("quantizer", "levels", {8, 1}), "c.json");
      },
      {"field 'quantizer.levels'", "expected a non-empty list of integers in [2, 65536], found 1 in [8,1]"});
  expect_error([&] { ImageCodecConfig::from_json(with("encoder", "width", 3), "c.json"); },
               {"field 'encoder.width'", "unknown field"});
  nlohmann::json odd = fashion_json();
  odd["image"]["height"] = 30;
  expect_error([&] { ImageCodecConfig::from_json(odd, "c.json"); },
               {"field 'encoder.downsamples'", "halvings that divide the image size 30 x 28, found 2"});
  nlohmann::json missing = fashion_json();
  missing.erase("quantizer");
  expect_error([&] { ImageCodecConfig::from_json(missing, "c.json"); },
               {"field 'quantizer'", "expected an object, found nothing"});
}

class ImageCodecBoth : public ::testing::TestWithParam<bool> {};

TEST_P(ImageCodecBoth, EncodeDecodeShapesAndDeterminism) {
  Rng rng(3);
  const ImageCodec codec(tiny_codec_config(3, GetParam()), rng);
  const Tensor images = blob_batch(5, 3, 1);
  const Tensor ids = codec.encode(images);
  EXPECT_EQ(ids.shape(), (Shape{5, 16}));
  EXPECT_EQ(ids.dtype(), DType::i32);
  for (const float id : ids.to(DType::f32).to_vector()) {
    EXPECT_GE(id, 0);
    EXPECT_LT(id, codec.vocab_size());
  }
  EXPECT_EQ(codec.encode(images).to(DType::f32).to_vector(), ids.to(DType::f32).to_vector());
  const Tensor decoded = codec.decode(ids);
  EXPECT_EQ(decoded.shape(), images.shape());
  EXPECT_EQ(codec.decode(ids).to_vector(), decoded.to_vector());
  for (const float v : decoded.to_vector()) ASSERT_TRUE(v >= -1 && v <= 1) << v;
  // Encoding one image alone gives its row of the batch's codes.
  const Tensor first = codec.encode(blob_batch(1, 3, 1));
  const std::vector<float> all = ids.to(DType::f32).to_vector(), one = first.to(DType::f32).to_vector();
  EXPECT_EQ(one, std::vector<float>(all.begin(), all.begin() + 16));
}

TEST_P(ImageCodecBoth, EveryCodeDecodesToFinitePixels) {
  Rng rng(4);
  const ImageCodec codec(tiny_codec_config(1, GetParam()), rng);
  const int64_t vocab = codec.vocab_size(), per_image = codec.codes_per_image();
  std::vector<int32_t> ids(static_cast<size_t>((vocab + per_image - 1) / per_image * per_image));
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i % vocab);
  const Tensor images =
      codec.decode(Tensor::from_vector(ids, {static_cast<int64_t>(ids.size()) / per_image, per_image}));
  for (const float v : images.to_vector()) ASSERT_TRUE(std::isfinite(v) && v >= -1 && v <= 1) << v;
  const Vocabulary vocabulary{.text_size = 300, .image_size = vocab};
  EXPECT_EQ(vocabulary.to_local(vocabulary.to_global(Modality::image, vocab - 1)).second, vocab - 1);
}

TEST_P(ImageCodecBoth, SaveLoadRoundTripIsBitIdentical) {
  TempDir dir;
  Rng rng(5), train_rng(6);
  ImageCodec codec(tiny_codec_config(1, GetParam()), rng);
  codec.reconstruct(blob_batch(4, 1, 2), &train_rng);  // VQ: moves the codebook and its statistics
  codec.save(dir.path("image.safetensors"));
  const auto loaded = ImageCodec::load(dir.path("image.safetensors"));
  EXPECT_EQ(loaded->config().to_json(), codec.config().to_json());
  const nn::NamedTensors a = codec.state(), b = loaded->state();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_EQ(std::memcmp(a[i].second.raw(), b[i].second.raw(), a[i].second.nbytes()), 0) << a[i].first;
  }
  const Tensor images = blob_batch(3, 1, 9);
  EXPECT_EQ(loaded->decode(loaded->encode(images)).to_vector(), codec.decode(codec.encode(images)).to_vector());
  loaded->save(dir.path("again.safetensors"));
  EXPECT_EQ(read_file(dir.path("again.safetensors")), read_file(dir.path("image.safetensors")));
}

// A VQ codec cut to some of its codes: the vocabulary shrinks, every image still encodes
// to kept codes (renumbered), the kept codes decode as before, and the file says so.
TEST(ImageCodec, KeepCodesShrinksTheVocabulary) {
  TempDir dir;
  Rng rng(12), train_rng(13);
  ImageCodec codec(tiny_codec_config(1, true), rng);
  codec.reconstruct(blob_batch(4, 1, 2), &train_rng);
  const Tensor before = codec.decode(Tensor::from_vector(std::vector<int32_t>(16, 40), {1, 16}));
  std::vector<int32_t> kept;
  for (int32_t k = 0; k < 64; k += 2) kept.push_back(k);  // the even codes
  codec.keep_codes(kept);
  EXPECT_EQ(codec.vocab_size(), 32);
  EXPECT_EQ(codec.config().codebook_size, 32);
  for (const float id : codec.encode(blob_batch(6, 1, 3)).to(DType::f32).to_vector()) EXPECT_LT(id, 32);
  EXPECT_EQ(codec.decode(Tensor::from_vector(std::vector<int32_t>(16, 20), {1, 16})).to_vector(), before.to_vector())
      << "old code 40 is new code 20";
  codec.save(dir.path("kept.safetensors"));
  const auto loaded = ImageCodec::load(dir.path("kept.safetensors"));
  EXPECT_EQ(loaded->vocab_size(), 32);
  const Tensor images = blob_batch(3, 1, 9);
  EXPECT_EQ(loaded->encode(images).to(DType::f32).to_vector(), codec.encode(images).to(DType::f32).to_vector());

  ImageCodec fsq(tiny_codec_config(1, false), rng);
  expect_error([&] { fsq.keep_codes({0, 1}); }, {"only a VQ codebook", "FSQ"});
  EXPECT_EQ(fsq.vocab_size(), 125);
}

INSTANTIATE_TEST_SUITE_P(Quantizers, ImageCodecBoth, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "VQ" : "FSQ"; });

TEST(ImageCodec, RefusesImagesOfAnotherShapeAndIdsOfAnotherGrid) {
  Rng rng(1);
  const ImageCodec codec(tiny_codec_config(1, false), rng);
  expect_error(
      [&] {
        codec.encode(Tensor::zeros({2, 3, 16, 16}));
      },
      {"image codec encode", "expected images (B, 1, 16, 16)", "found (2, 3, 16, 16)"});
  expect_error(
      [&] {
        codec.decode(Tensor::zeros({1, 15}, DType::i32));
      },
      {"expected ids (B, 16) for a 4 x 4 grid", "found (1, 15)"});
  expect_error([&] { codec.decode(Tensor::full({1, 16}, 125).to(DType::i32)); }, {"id 125", "outside [0, 125)"});
}

class ImageCodecFile : public ::testing::Test {
 protected:
  void SetUp() override {
    Rng rng(7);
    ImageCodec codec(tiny_codec_config(1, true), rng);
    codec.save(path());
    file = read_safetensors(path());
  }
  std::string path() const { return dir.path("image.safetensors"); }
  // Rewrites the file with `tensors` and `metadata` changed by the caller.
  void rewrite() { write_safetensors(path(), file.tensors, file.metadata); }
  TempDir dir;
  Safetensors file;
};

TEST_F(ImageCodecFile, RefusesFilesThatAreNotImageCodecs) {
  write_file_atomically(dir.path("text.txt"), "not a codec");
  expect_error([&] { ImageCodec::load(dir.path("text.txt")); }, {dir.path("text.txt")});
  expect_error([&] { ImageCodec::load(dir.path("missing.safetensors")); }, {dir.path("missing.safetensors")});
  file.metadata.erase("config");
  rewrite();
  expect_error([&] { ImageCodec::load(path()); }, {path(), "metadata field 'config' is missing"});
}

TEST_F(ImageCodecFile, RefusesAWrongFormatOrConfig) {
  file.metadata["format"] = "tessera-model";
  rewrite();
  expect_error([&] { ImageCodec::load(path()); },
               {path(), "metadata field 'format'", "expected \"tessera-image-codec\", found \"tessera-model\""});
  file.metadata["format"] = "tessera-image-codec";
  file.metadata["config"] = "{not json";
  rewrite();
  expect_error([&] { ImageCodec::load(path()); }, {path(), "metadata field 'config': not valid JSON"});
  nlohmann::json config = tiny_codec_config(1, true).to_json();
  config["quantizer"]["codebook_size"] = 1;
  file.metadata["config"] = config.dump();
  rewrite();
  expect_error([&] { ImageCodec::load(path()); }, {path(), "field '__metadata__.config.quantizer.codebook_size'",
                                                   "expected an integer in [2, 1073741824], found 1"});
}

TEST_F(ImageCodecFile, RefusesMissingExtraAndMisshapenTensors) {
  const Safetensors original = file;
  std::erase_if(file.tensors, [](const auto& t) { return t.first == "quantizer.embed_sum"; });
  rewrite();
  expect_error([&] { ImageCodec::load(path()); }, {path(), "tensor 'quantizer.embed_sum' is missing"});
  file = original;
  std::erase_if(file.tensors, [](const auto& t) { return t.first == "decoder.conv_out.bias"; });
  rewrite();
  expect_error([&] { ImageCodec::load(path()); }, {path(), "parameter 'decoder.conv_out.bias' is missing"});
  file = original;
  file.tensors.emplace_back("quantizer.extra", Tensor::zeros({2}));
  rewrite();
  expect_error([&] { ImageCodec::load(path()); }, {path(), "'quantizer.extra' is not part of this codec's quantizer"});
  file = original;
  for (auto& [name, t] : file.tensors) {
    if (name == "quantizer.codebook") t = Tensor::zeros({64, 4});
  }
  rewrite();
  expect_error([&] { ImageCodec::load(path()); },
               {path(), "tensor 'quantizer.codebook' is f32 (64, 4), the config expects f32 (64, 3)"});
}

}  // namespace
}  // namespace tessera::codecs
