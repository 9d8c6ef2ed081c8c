// The codecs behind one interface: each says its modality, kind, vocabulary size and what it
// codes, saves a file that load_codec reads back by kind, and a registry hands them out by
// modality with clear errors for what a model does not have.
#include <gtest/gtest.h>

#include "codecs/audio/audio_codec.h"
#include "codecs/codec_registry.h"
#include "codecs/image/image_codec.h"
#include "codecs/text_codec.h"
#include "io/atomic_file.h"
#include "support/expect_error.h"
#include "support/sample_text.h"
#include "support/synthetic_images.h"
#include "support/synthetic_mels.h"
#include "support/temp_dir.h"

namespace tessera::codecs {
namespace {

class CodecRegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir;
    write_text(tmp_->path("corpus.txt"), sample_text_corpus(300));
    TextCodecTrainOptions o;
    o.vocab_size = 300;
    TextCodec::train(tmp_->path("corpus.txt"), o, tmp_->path("text.model"));
    Rng rng(3);
    ImageCodec(testing::tiny_codec_config(1, false), rng).save(tmp_->path("image.safetensors"));
    AudioCodec(testing::tiny_audio_codec_config(2), rng).save(tmp_->path("audio.safetensors"));
  }
  static void TearDownTestSuite() { delete tmp_; }
  static TempDir* tmp_;
};
TempDir* CodecRegistryTest::tmp_ = nullptr;

TEST_F(CodecRegistryTest, ACodecFileSaysItsOwnKind) {
  for (const auto& [file, kind] : {std::pair<std::string, std::string>{"text.model", "sentencepiece"},
                                   {"image.safetensors", "tessera-image-codec"},
                                   {"audio.safetensors", "tessera-audio-codec"}}) {
    EXPECT_EQ(load_codec_file(tmp_->path(file))->kind(), kind) << file;
  }
  write_text(tmp_->path("notes.txt"), "not a codec");
  expect_error([&] { load_codec_file(tmp_->path("notes.txt")); }, {"notes.txt", "not a SentencePiece model"});
}

TEST_F(CodecRegistryTest, EachCodecDescribesItselfAndLoadsByKind) {
  const auto text = load_codec("sentencepiece", tmp_->path("text.model"));
  EXPECT_EQ(text->modality(), Modality::text);
  EXPECT_EQ(text->kind(), "sentencepiece");
  EXPECT_EQ(text->vocab_size(), 300);
  EXPECT_EQ(text->description(), "SentencePiece BPE, 300 pieces, byte fallback");
  const auto image = load_codec("tessera-image-codec", tmp_->path("image.safetensors"));
  EXPECT_EQ(image->modality(), Modality::image);
  EXPECT_EQ(image->vocab_size(), 125);
  EXPECT_EQ(image->description(), "16 x 16 x 1 -> 16 codes of 125 (a 4 x 4 grid, FSQ)");
  const auto audio = load_codec("tessera-audio-codec", tmp_->path("audio.safetensors"));
  EXPECT_EQ(audio->modality(), Modality::audio);
  EXPECT_EQ(audio->vocab_size(), 250);
  EXPECT_EQ(audio->description(), "16000 Hz, 16 mel bins -> 50 codes/s of 250 (2 residual FSQ stages of 125)");

  // save() writes the file load_codec reads: the text codec's bytes are the same.
  text->save(tmp_->path("again.model"));
  EXPECT_EQ(read_file(tmp_->path("again.model")), read_file(tmp_->path("text.model")));

  EXPECT_EQ(codec_kinds(Modality::image), std::vector<std::string>{"tessera-image-codec"});
  EXPECT_TRUE(codec_kinds(Modality::control).empty());
  expect_error([&] { load_codec("jpeg", tmp_->path("image.safetensors")); },
               {"image.safetensors", "no codec of kind \"jpeg\"", "\"sentencepiece\""});
  expect_error([&] { load_codec("tessera-image-codec", tmp_->path("audio.safetensors")); },
               {"audio.safetensors", "expected \"tessera-image-codec\""});
}

TEST_F(CodecRegistryTest, HandsOutCodecsByModality) {
  CodecRegistry registry("models/m");
  registry.add(load_codec("tessera-image-codec", tmp_->path("image.safetensors")));
  registry.add(load_codec("sentencepiece", tmp_->path("text.model")));
  EXPECT_TRUE(registry.has(Modality::text));
  EXPECT_FALSE(registry.has(Modality::audio));
  EXPECT_EQ(registry.get<TextCodec>(Modality::text).vocab_size(), 300);
  EXPECT_EQ(registry.get<ImageCodec>(Modality::image).codes_per_image(), 16);
  ASSERT_EQ(registry.all().size(), 2u);
  EXPECT_EQ(registry.all()[0]->modality(), Modality::text) << "vocabulary order";

  expect_error([&] { registry.get<AudioCodec>(Modality::audio); },
               {"models/m: the model has no audio codec (its codecs: text, image)"});
  expect_error([&] { registry.get<ImageCodec>(Modality::text); },
               {"models/m: the text codec is a \"sentencepiece\" codec"});
  expect_error([&] { registry.add(load_codec("sentencepiece", tmp_->path("text.model"))); },
               {"models/m: a second text codec"});
}

}  // namespace
}  // namespace tessera::codecs
