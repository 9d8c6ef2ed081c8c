#include "support/tiny_corpus.h"

#include <filesystem>

#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "codecs/text_codec.h"
#include "core/rng.h"
#include "io/atomic_file.h"
#include "support/sample_text.h"
#include "support/synthetic_images.h"
#include "support/synthetic_mels.h"
#include "support/synthetic_speech.h"

namespace tessera::testing {

namespace {

void write_captions(const std::string& dir, const std::string& split, int64_t count,
                    const std::function<std::string(int64_t)>& caption) {
  std::string lines;
  for (int64_t i = 0; i < count; ++i) lines += caption(i) + "\n";
  write_file_atomically(dir + "/" + split + ".captions.txt", lines);
}

// Gives the clips of `split` the texts `texts` (one per clip, in order).
void set_texts(const std::string& dir, const std::string& split, const std::vector<std::string>& texts) {
  std::string lines;
  size_t i = 0;
  const std::string manifest = read_file(dir + "/" + split + ".jsonl");
  for (size_t start = 0; start < manifest.size(); ++i) {
    const size_t end = manifest.find('\n', start);
    nlohmann::json line = nlohmann::json::parse(manifest.substr(start, end - start));
    line["text"] = texts.at(i);
    lines += line.dump() + "\n";
    start = end + 1;
  }
  write_file_atomically(dir + "/" + split + ".jsonl", lines);
}

const char* const kClasses[] = {"dress", "ankle boot", "bag", "coat"};

}  // namespace

nlohmann::json TinyCorpus::recipe(const nlohmann::json& mixture, const nlohmann::json& valid) const {
  return {{"codecs", {{"text", text_codec}, {"image", image_codec}, {"audio", audio_codec}}},
          {"sources", {{"fashion", fashion}, {"emoji", emoji}, {"speech", speech}, {"text", text}}},
          {"mixture", mixture},
          {"valid", valid},
          {"condition_dropout", 0.1},
          {"context_length", 256},
          {"seed", 3}};
}

TinyCorpus write_tiny_corpus(const std::string& dir) {
  std::filesystem::create_directories(dir);
  TinyCorpus c{dir + "/text.model",
               dir + "/image.safetensors",
               dir + "/audio.safetensors",
               dir + "/fashion",
               dir + "/emoji",
               dir + "/speech",
               dir + "/text"};
  write_text(dir + "/corpus.txt", sample_text_corpus(300));
  codecs::TextCodecTrainOptions options;
  options.vocab_size = 300;
  codecs::TextCodec::train(dir + "/corpus.txt", options, c.text_codec);
  Rng rng(11);
  codecs::ImageCodec(tiny_codec_config(1, false), rng).save(c.image_codec);  // 16 x 16 grey, 16 codes of 125
  codecs::AudioCodec(tiny_audio_codec_config(2), rng).save(c.audio_codec);   // 2 stages of 125 codes

  // fashion: 28 x 28 grey, captions cycling through four class names.
  write_image_set(c.fashion, "train", smooth_blobs(24, 28, 28, 1, 1));
  write_image_set(c.fashion, "valid", smooth_blobs(8, 28, 28, 1, 2));
  for (const auto& [split, n] : {std::pair<std::string, int64_t>{"train", 24}, {"valid", 8}}) {
    write_captions(c.fashion, split, n, [](int64_t i) { return std::string(kClasses[i % 4]); });
  }
  // emoji: 16 x 16 RGB, faces 0-3 in train, 4-5 in valid.
  write_image_set(c.emoji, "train", smooth_blobs(4, 16, 16, 3, 3));
  write_image_set(c.emoji, "valid", smooth_blobs(2, 16, 16, 3, 4));
  write_captions(c.emoji, "train", 4, [](int64_t i) { return "face " + std::to_string(i) + ": happy, smile"; });
  write_captions(c.emoji, "valid", 2, [](int64_t i) { return "face " + std::to_string(i + 4) + ": happy, smile"; });

  // speech: train speaks three class names and two faces ("coat", faces 2 and 3 are grown);
  // valid speaks none of the captions (all six of its captions are grown, in held-out voices).
  write_speech_set(c.speech, {{"train", 8}, {"valid", 4}}, 5);
  set_texts(
      c.speech, "train",
      {"dress", "ankle boot", "bag", "face 0: happy, smile", "face 1: happy, smile", "dress", "tone 6", "tone 7"});
  set_texts(c.speech, "valid", {"tone 0", "tone 1", "tone 2", "tone 3"});

  std::filesystem::create_directories(c.text);
  write_text(c.text + "/train.txt", sample_text_corpus(40));
  write_text(c.text + "/valid.txt", sample_text_corpus(10));
  return c;
}

}  // namespace tessera::testing
