// The audio codec as a component on log-mel tensors: config, token layout and rate,
// shapes, padding, determinism, every code decoding, the file round trip and its refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "autograd/layout.h"
#include "codecs/audio/audio_codec.h"
#include "codecs/vocabulary.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "support/expect_error.h"
#include "support/synthetic_mels.h"
#include "support/temp_dir.h"

namespace tessera::codecs {
namespace {

using testing::moving_sines;
using testing::tiny_audio_codec_config;

// n clips of `frames` synthetic log-mel frames as one batch (n, 16, frames).
Tensor mel_batch(int64_t n, int64_t frames, uint64_t seed) {
  std::vector<Tensor> rows;
  for (const Spectrogram& s : moving_sines(n, frames, frames, 16, seed)) rows.push_back(spectrogram_to_tensor(s));
  return concat(rows, 0);
}

std::vector<int32_t> values_of(const Tensor& ids) {
  return std::vector<int32_t>(ids.data<int32_t>(), ids.data<int32_t>() + ids.numel());
}

nlohmann::json speech_json() {
  return {{"mel",
           {{"sample_rate", 16000},
            {"n_fft", 1024},
            {"win_length", 1024},
            {"hop_length", 160},
            {"n_mels", 80},
            {"f_min", 0},
            {"f_max", 8000}}},
          {"encoder", {{"widths", {64, 128, 256}}, {"downsamples", 2}, {"res_blocks", 1}}},
          {"quantizer", {{"type", "fsq"}, {"levels", {8, 5, 5, 5}}, {"stages", 2}}}};
}

TEST(AudioCodecConfig, TokenRateAndVocabularyFollowTheConfig) {
  const AudioCodecConfig c = AudioCodecConfig::from_json(speech_json(), "c.json");
  EXPECT_DOUBLE_EQ(c.tokens_per_second(), 50.0);  // 100 frames/s, 4 frames per code frame, 2 stages
  EXPECT_EQ(c.codebook_size(), 1000);
  EXPECT_EQ(c.vocab_size(), 2000);
  EXPECT_EQ(c.frames_per_code(), 4);
  EXPECT_EQ(c.code_frames(101), 26);  // 1 s of audio: 101 frames, padded to 104
  EXPECT_EQ(c.tokens_for(101), 52);
  EXPECT_EQ(c.norm_groups, 8);
  EXPECT_EQ(AudioCodecConfig::from_json(c.to_json(), "again").to_json(), c.to_json());
  nlohmann::json one_stage = speech_json();
  one_stage["quantizer"].erase("stages");
  EXPECT_EQ(AudioCodecConfig::from_json(one_stage, "c.json").stages, 1);
  const Vocabulary vocabulary{.text_size = 300, .image_size = 1000, .audio_size = c.vocab_size()};
  EXPECT_EQ(vocabulary.to_local(vocabulary.to_global(Modality::audio, 1999)).second, 1999);
}

TEST(AudioCodecConfig, ErrorsNameTheFileAndField) {
  auto with = [](const char* section, const char* key, nlohmann::json value) {
    nlohmann::json j = speech_json();
    j[section][key] = std::move(value);
    return j;
  };
  expect_error([&] { AudioCodecConfig::from_json(with("quantizer", "type", "vq"), "c.json"); },
               {"c.json", "field 'quantizer.type'", "expected \"fsq\", found \"vq\""});
  expect_error([&] { AudioCodecConfig::from_json(with("quantizer", "stages", 0), "c.json"); },
               {"field 'quantizer.stages'", "expected an integer in [1, 8], found 0"});
  expect_error([&] { AudioCodecConfig::from_json(with("quantizer", "stages", 9), "c.json"); },
               {"field 'quantizer.stages'", "expected an integer in [1, 8], found 9"});
  expect_error(
      [&] {
        AudioCodecConfig::from_json(with("quantizer", "levels", {8, 2}), "c.json");
      },
      {"field 'quantizer.levels'", "at least 3 levels per channel", "found 2 at index 1"});
  expect_error([&] { AudioCodecConfig::from_json(with("encoder", "downsamples", 3), "c.json"); },
               {"field 'encoder.downsamples'", "at most one fewer than the 3 levels", "found 3"});
  expect_error(
      [&] {
        AudioCodecConfig::from_json(with("encoder", "widths", {64, 100, 128}), "c.json");
      },
      {"field 'encoder.widths'", "multiples of norm_groups 8", "found 100"});
  expect_error([&] { AudioCodecConfig::from_json(with("encoder", "kernel", 5), "c.json"); },
               {"field 'encoder.kernel'", "unknown field"});
  expect_error([&] { AudioCodecConfig::from_json(with("mel", "n_mels", 0), "c.json"); },
               {"c.json", "field 'mel.n_mels'"});
  nlohmann::json missing = speech_json();
  missing.erase("mel");
  expect_error([&] { AudioCodecConfig::from_json(missing, "c.json"); },
               {"field 'mel'", "expected an object, found nothing"});
  expect_error([&] { AudioCodecConfig::from_json(with("mel", "hop", 10), "r.json", "codec"); },
               {"r.json", "field 'codec.mel.hop'"});
}

TEST(AudioCodec, EncodeDecodeShapesTokenLayoutAndDeterminism) {
  Rng rng(3);
  const AudioCodec codec(tiny_audio_codec_config(2), rng);
  const Tensor mel = mel_batch(3, 48, 1);
  const Tensor ids = codec.encode(mel);
  EXPECT_EQ(ids.shape(), (Shape{3, 24}));  // 12 code frames x 2 stages
  EXPECT_EQ(ids.dtype(), DType::i32);
  const std::vector<int32_t> v = values_of(ids);
  for (size_t i = 0; i < v.size(); ++i) {
    const int32_t stage = static_cast<int32_t>(i % 2);  // time-major: t0s0 t0s1 t1s0 ...
    ASSERT_GE(v[i], stage * 125) << i;
    ASSERT_LT(v[i], (stage + 1) * 125) << i;
  }
  EXPECT_EQ(values_of(codec.encode(mel)), v);
  const Tensor decoded = codec.decode(ids);
  EXPECT_EQ(decoded.shape(), mel.shape());
  EXPECT_EQ(codec.decode(ids).to_vector(), decoded.to_vector());
  for (const float x : decoded.to_vector()) ASSERT_TRUE(std::isfinite(x));
  // A clip alone gets its row of the batch's ids.
  EXPECT_EQ(values_of(codec.encode(slice(mel, 0, 1, 2))), std::vector<int32_t>(v.begin() + 24, v.begin() + 48));
}

TEST(AudioCodec, ClipsOfAnyLengthArePaddedWithTheirLastFrameAndTrimmed) {
  Rng rng(4);
  const AudioCodec codec(tiny_audio_codec_config(2), rng);
  const Tensor mel = mel_batch(2, 50, 2);
  const Tensor ids = codec.encode(mel);
  EXPECT_EQ(ids.shape(), (Shape{2, 26}));  // 50 frames -> 13 code frames
  const Tensor last = slice(mel, 2, 49, 50);
  EXPECT_EQ(values_of(codec.encode(concat({mel, last, last}, 2))), values_of(ids));
  EXPECT_EQ(codec.decode(ids).shape(), (Shape{2, 16, 52}));
  const Tensor trimmed = codec.decode(ids, 50);
  EXPECT_EQ(trimmed.shape(), mel.shape());
  EXPECT_EQ(trimmed.to_vector(), slice(codec.decode(ids), 2, 0, 50).to_vector());
  EXPECT_EQ(codec.encode(mel_batch(1, 1, 3)).shape(), (Shape{1, 2}));  // one frame is one code frame
  expect_error([&] { codec.decode(ids, 53); }, {"13 code frames decode to 52 mel frames, cannot trim to 53"});
}

TEST(AudioCodec, EveryCodeOfEveryStageDecodes) {
  Rng rng(5);
  const AudioCodec codec(tiny_audio_codec_config(2), rng);
  std::vector<int32_t> ids;
  for (int32_t c = 0; c < 125; ++c) {
    ids.push_back(c);
    ids.push_back(125 + (c * 7) % 125);
  }
  const Tensor mel = codec.decode(Tensor::from_vector(ids, {1, 250}));
  EXPECT_EQ(mel.shape(), (Shape{1, 16, 500}));
  for (const float x : mel.to_vector()) ASSERT_TRUE(std::isfinite(x)) << x;
  expect_error(
      [&] {
        codec.decode(Tensor::from_vector(std::vector<int32_t>{3, 4}, {1, 2}));
      },
      {"audio codec decode: id 4 at position 1 is not a code of stage 1 (ids [125, 250))"});
  expect_error(
      [&] {
        codec.decode(Tensor::from_vector(std::vector<int32_t>{125, 130}, {1, 2}));
      },
      {"id 125 at position 0 is not a code of stage 0 (ids [0, 125))"});
  expect_error(
      [&] {
        codec.decode(Tensor::zeros({1, 3}, DType::i32));
      },
      {"expected ids (B, t x 2) for 2 stages per code frame, found (1, 3)"});
  expect_error(
      [&] {
        codec.encode(Tensor::zeros({1, 15, 8}));
      },
      {"audio codec encode: expected log-mel (B, 16, T)", "found (1, 15, 8)"});
}

TEST(AudioCodec, NormalizationIsPerBinAndChecked) {
  Rng rng(6);
  AudioCodec codec(tiny_audio_codec_config(1), rng);
  std::vector<float> mean(16), std(16);
  for (int i = 0; i < 16; ++i) mean[i] = -5.0f + static_cast<float>(i), std[i] = 0.5f + 0.25f * static_cast<float>(i);
  codec.set_normalization(mean, std);
  const Tensor mel = mel_batch(1, 8, 7);
  const Tensor n = codec.normalize(mel);
  const std::vector<float> x = mel.to_vector(), y = n.to_vector();
  for (size_t k = 0; k < x.size(); ++k) ASSERT_FLOAT_EQ(y[k], (x[k] - mean[k / 8]) / std[k / 8]);
  const std::vector<float> back = codec.denormalize(n).to_vector();
  for (size_t k = 0; k < x.size(); ++k) ASSERT_NEAR(back[k], x[k], 1e-5f);
  std[3] = 0;
  expect_error([&] { codec.set_normalization(mean, std); }, {"bin 3 has mean -2 and std 0", "std > 0"});
  expect_error([&] { codec.set_normalization({1.0f}, {1.0f}); }, {"expected 16 means and standard deviations"});
}

TEST(AudioCodec, SaveLoadRoundTripIsBitIdentical) {
  TempDir dir;
  Rng rng(8);
  AudioCodec codec(tiny_audio_codec_config(3), rng);
  std::vector<float> mean(16, -4.0f), std(16, 2.5f);
  mean[0] = -9.0f;
  codec.set_normalization(mean, std);
  codec.save(dir.path("audio.safetensors"));
  const auto loaded = AudioCodec::load(dir.path("audio.safetensors"));
  EXPECT_EQ(loaded->config().to_json(), codec.config().to_json());
  const nn::NamedTensors a = codec.state(), b = loaded->state();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_EQ(std::memcmp(a[i].second.raw(), b[i].second.raw(), a[i].second.nbytes()), 0) << a[i].first;
  }
  const Tensor mel = mel_batch(2, 20, 9);
  EXPECT_EQ(values_of(loaded->encode(mel)), values_of(codec.encode(mel)));
  EXPECT_EQ(loaded->decode(loaded->encode(mel)).to_vector(), codec.decode(codec.encode(mel)).to_vector());
  loaded->save(dir.path("again.safetensors"));
  EXPECT_EQ(read_file(dir.path("again.safetensors")), read_file(dir.path("audio.safetensors")));
}

class AudioCodecFile : public ::testing::Test {
 protected:
  void SetUp() override {
    Rng rng(7);
    AudioCodec(tiny_audio_codec_config(2), rng).save(path());
    file = read_safetensors(path());
  }
  std::string path() const { return dir.path("audio.safetensors"); }
  void rewrite() { write_safetensors(path(), file.tensors, file.metadata); }
  TempDir dir;
  Safetensors file;
};

TEST_F(AudioCodecFile, RefusesOtherFilesAndBadMetadata) {
  write_file_atomically(dir.path("text.txt"), "not a codec");
  expect_error([&] { AudioCodec::load(dir.path("text.txt")); }, {dir.path("text.txt")});
  const Safetensors original = file;
  file.metadata["format"] = "tessera-image-codec";
  rewrite();
  expect_error([&] { AudioCodec::load(path()); },
               {path(), "metadata field 'format'", "expected \"tessera-audio-codec\", found \"tessera-image-codec\""});
  file = original;
  file.metadata.erase("config");
  rewrite();
  expect_error([&] { AudioCodec::load(path()); },
               {path(), "metadata field 'config' is missing; is this an audio codec file"});
  file = original;
  nlohmann::json config = tiny_audio_codec_config(2).to_json();
  config["quantizer"]["stages"] = 0;
  file.metadata["config"] = config.dump();
  rewrite();
  expect_error([&] { AudioCodec::load(path()); },
               {path(), "field '__metadata__.config.quantizer.stages'", "expected an integer in [1, 8], found 0"});
}

TEST_F(AudioCodecFile, RefusesMissingExtraAndMisshapenTensors) {
  const Safetensors original = file;
  std::erase_if(file.tensors, [](const auto& t) { return t.first == "norm.std"; });
  rewrite();
  expect_error([&] { AudioCodec::load(path()); }, {path(), "tensor 'norm.std' is missing"});
  file = original;
  std::erase_if(file.tensors, [](const auto& t) { return t.first == "decoder.conv_out.bias"; });
  rewrite();
  expect_error([&] { AudioCodec::load(path()); }, {path(), "parameter 'decoder.conv_out.bias' is missing"});
  file = original;
  file.tensors.emplace_back("norm.extra", Tensor::zeros({16}));
  rewrite();
  expect_error([&] { AudioCodec::load(path()); }, {path(), "norm.extra"});
  file = original;
  for (auto& [name, t] : file.tensors) {
    if (name == "norm.mean") t = Tensor::zeros({15});
  }
  rewrite();
  expect_error([&] { AudioCodec::load(path()); },
               {path(), "tensor 'norm.mean' is f32 (15,), the config expects f32 (16,)"});
  file = original;
  for (auto& [name, t] : file.tensors) {
    if (name == "norm.std") t = Tensor::full({16}, -1.0f);
  }
  rewrite();
  expect_error([&] { AudioCodec::load(path()); }, {path(), "bin 0 has mean 0 and std -1"});
}

TEST(Spectrograms, TensorLayoutRoundTrips) {
  const Spectrogram s = moving_sines(1, 7, 7, 16, 3)[0];
  const Tensor t = spectrogram_to_tensor(s);
  EXPECT_EQ(t.shape(), (Shape{1, 16, 7}));
  EXPECT_EQ(t.data<float>()[5 * 7 + 2], s.at(2, 5));
  const Spectrogram back = tensor_to_spectrogram(t);
  EXPECT_EQ(back.frames, 7);
  EXPECT_EQ(back.bins, 16);
  EXPECT_EQ(back.values, s.values);
}

}  // namespace
}  // namespace tessera::codecs
