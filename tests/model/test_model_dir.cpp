// The model folder: what is saved loads back identical, with every codec, from wherever the
// folder is copied; every kind of damage a user can meet is refused with a message naming
// the file and what is wrong.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "codecs/text_codec.h"
#include "io/atomic_file.h"
#include "model/model_dir.h"
#include "support/expect_error.h"
#include "support/sample_text.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

namespace tessera::model {
namespace {

namespace fs = std::filesystem;
using codecs::Modality;

// config.json of `dir` as JSON, changed by `edit`, written back.
void edit_config(const std::string& dir, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = nlohmann::json::parse(read_file(dir + "/config.json"));
  edit(j);
  write_text(dir + "/config.json", j.dump(2));
}

void expect_same_parameters(const nn::NamedTensors& ours, const nn::NamedTensors& theirs) {
  ASSERT_EQ(ours.size(), theirs.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(ours[i].first, theirs[i].first);
    EXPECT_EQ(ours[i].second.to_vector(), theirs[i].second.to_vector()) << ours[i].first;
  }
}

class ModelDir : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir;
    config_ = new ModelConfig(testing::write_tiny_model(tmp_->path("tiny")));
    testing::TinyModelOptions every;
    every.image_codec = every.audio_codec = true;
    multimodal_ = new ModelConfig(testing::write_tiny_model(tmp_->path("multimodal"), every));
  }
  static void TearDownTestSuite() {
    delete multimodal_;
    delete config_;
    delete tmp_;
  }
  // A fresh copy of a saved model to damage.
  std::string copy(const std::string& name, const std::string& from = "tiny") {
    const std::string dir = tmp_->path(name);
    fs::copy(tmp_->path(from), dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    return dir;
  }
  static TempDir* tmp_;
  static ModelConfig *config_, *multimodal_;
};
TempDir* ModelDir::tmp_ = nullptr;
ModelConfig* ModelDir::config_ = nullptr;
ModelConfig* ModelDir::multimodal_ = nullptr;

TEST_F(ModelDir, SaveThenLoadIsBitIdentical) {
  const LoadedModel loaded = load_model(tmp_->path("tiny"));
  EXPECT_EQ(write_config(loaded.config), write_config(*config_));
  EXPECT_EQ(loaded.codecs.get<codecs::TextCodec>(Modality::text).vocab_size(), config_->vocabulary.text_size);
  EXPECT_EQ(loaded.codecs.all().size(), 1u);
  Rng rng(testing::TinyModelOptions{}.seed);  // the same seed write_tiny_model built with
  const Transformer original(config_->transformer, rng);
  expect_same_parameters(original.named_parameters(), loaded.transformer->named_parameters());
  EXPECT_EQ(write_config(load_model_config(tmp_->path("tiny"))), write_config(*config_));
}

TEST_F(ModelDir, ConfigJsonNamesEachCodecWithItsFileKindAndIds) {
  const nlohmann::json j = nlohmann::json::parse(read_file(tmp_->path("multimodal") + "/config.json"));
  EXPECT_EQ(j.at("version"), 2);
  const nlohmann::json expected = {
      {"text", {{"file", "text.model"}, {"kind", "sentencepiece"}, {"ids", {0, 300}}}},
      {"image", {{"file", "image.safetensors"}, {"kind", "tessera-image-codec"}, {"ids", {311, 436}}}},
      {"audio", {{"file", "audio.safetensors"}, {"kind", "tessera-audio-codec"}, {"ids", {436, 686}}}}};
  EXPECT_EQ(j.at("codecs"), expected) << j.dump(2);
  EXPECT_EQ(j.at("vocabulary").at("image"), 125);
  EXPECT_EQ(j.at("vocabulary").at("audio"), 250);
}

// Every file the model needs is inside its folder: a copy loads with the original gone.
TEST_F(ModelDir, ACopiedFolderLoadsWithEveryCodec) {
  const LoadedModel original = load_model(copy("source", "multimodal"));
  TempDir elsewhere;
  const std::string moved = elsewhere.path("moved");
  fs::copy(tmp_->path("source"), moved, fs::copy_options::recursive);
  fs::remove_all(tmp_->path("source"));
  const LoadedModel loaded = load_model(moved);
  EXPECT_EQ(write_config(loaded.config), write_config(*multimodal_));
  expect_same_parameters(original.transformer->named_parameters(), loaded.transformer->named_parameters());

  const auto& text = loaded.codecs.get<codecs::TextCodec>(Modality::text);
  EXPECT_EQ(text.serialized(), original.codecs.get<codecs::TextCodec>(Modality::text).serialized());
  const auto& image = loaded.codecs.get<codecs::ImageCodec>(Modality::image);
  expect_same_parameters(original.codecs.get<codecs::ImageCodec>(Modality::image).state(), image.state());
  EXPECT_EQ(image.description(), "16 x 16 x 1 -> 16 codes of 125 (a 4 x 4 grid, FSQ)");
  const auto& audio = loaded.codecs.get<codecs::AudioCodec>(Modality::audio);
  expect_same_parameters(original.codecs.get<codecs::AudioCodec>(Modality::audio).state(), audio.state());
  EXPECT_EQ(audio.description(), "16000 Hz, 16 mel bins -> 50 codes/s of 250 (2 residual FSQ stages of 125)");
  std::vector<Modality> order;
  for (const codecs::Codec* c : loaded.codecs.all()) order.push_back(c->modality());
  EXPECT_EQ(order, (std::vector<Modality>{Modality::text, Modality::image, Modality::audio}));
}

TEST_F(ModelDir, AskingForACodecTheModelDoesNotHave) {
  const LoadedModel loaded = load_model(tmp_->path("tiny"));
  expect_error([&] { loaded.codecs.get<codecs::ImageCodec>(Modality::image); },
               {tmp_->path("tiny"), "the model has no image codec (its codecs: text)"});
  expect_error([&] { loaded.codecs.get<codecs::ImageCodec>(Modality::text); },
               {"the text codec is a \"sentencepiece\" codec"});
}

TEST_F(ModelDir, MissingDirectoryAndFiles) {
  expect_error([&] { load_model(tmp_->path("nowhere")); }, {"nowhere", "no such model directory"});
  const std::string no_config = copy("no_config");
  fs::remove(no_config + "/config.json");
  expect_error([&] { load_model(no_config); }, {"no_config", "config.json is missing"});
  const std::string no_weights = copy("no_weights");
  fs::remove(no_weights + "/model.safetensors");
  expect_error([&] { load_model(no_weights); }, {"no_weights", "has no model.safetensors (the weights)"});
  const std::string no_codec = copy("no_codec");
  fs::remove(no_codec + "/text.model");
  expect_error([&] { load_model(no_codec); }, {"no_codec", "has no text.model (the text codec named in config.json)"});
}

TEST_F(ModelDir, CorruptConfigJson) {
  const std::string corrupt = copy("corrupt_json");
  write_text(corrupt + "/config.json", "{\"format\": \"tessera-model\", ");
  expect_error([&] { load_model(corrupt); }, {"config.json", "not valid JSON"});
  const std::string mistyped = copy("mistyped");
  edit_config(mistyped, [](nlohmann::json& j) { j["architecture"]["dim"] = "thirty-two"; });
  expect_error([&] { load_model(mistyped); },
               {mistyped + "/config.json", "field 'architecture.dim'", "expected an integer >= 1", "\"thirty-two\""});
}

TEST_F(ModelDir, CorruptOrTruncatedWeights) {
  const std::string truncated = copy("truncated");
  const std::string bytes = read_file(truncated + "/model.safetensors");
  write_text(truncated + "/model.safetensors", bytes.substr(0, bytes.size() - 100));
  expect_error([&] { load_model(truncated); }, {"model.safetensors", "out of range"});

  const std::string garbage = copy("garbage");
  write_text(garbage + "/model.safetensors", "this is not a tensor file");
  expect_error([&] { load_model(garbage); }, {"model.safetensors", "header length"});
}

TEST_F(ModelDir, WeightsThatDoNotMatchTheConfig) {
  const std::string wider = copy("wider");
  edit_config(wider, [](nlohmann::json& j) { j["architecture"]["hidden"] = 96; });
  expect_error([&] { load_model(wider); }, {"model.safetensors", "blocks.0.mlp.gate.weight", "(96, 32)", "(64, 32)"});

  const std::string deeper = copy("deeper");
  edit_config(deeper, [](nlohmann::json& j) { j["architecture"]["n_layers"] = 3; });
  expect_error([&] { load_model(deeper); }, {"model.safetensors", "blocks.2."});

  const std::string untied = copy("untied");
  edit_config(untied, [](nlohmann::json& j) { j["architecture"]["tied_embeddings"] = false; });
  expect_error([&] { load_model(untied); }, {"model.safetensors", "head.weight"});
}

// config.json and the vocabulary agree, but the codec file does not: its own vocabulary size
// is the truth about it.
TEST_F(ModelDir, ACodecFileOfAnotherVocabularySize) {
  const std::string other = copy("other_codec");
  edit_config(other, [](nlohmann::json& j) {
    j["vocabulary"]["text"] = 305;
    j["codecs"]["text"]["ids"] = {0, 305};
  });
  expect_error([&] { load_model(other); },
               {other + "/config.json", "field 'codecs.text.ids'", "expected a range of 300 ids", other + "/text.model",
                "found [0, 305], 305 ids", "does not belong to this model"});
}

TEST_F(ModelDir, ACodecFileOfAnotherKind) {
  const std::string swapped = copy("swapped", "multimodal");
  fs::copy_file(swapped + "/text.model", swapped + "/image.safetensors", fs::copy_options::overwrite_existing);
  expect_error([&] { load_model(swapped); }, {swapped + "/image.safetensors", swapped + "/config.json",
                                              "field 'codecs.image' names it as a \"tessera-image-codec\" codec"});
}

// A version 1 folder (codecs as file names) reads as the entries version 2 writes.
TEST_F(ModelDir, Version1FoldersStillLoad) {
  const std::string old = copy("version1");
  edit_config(old, [](nlohmann::json& j) {
    j["version"] = 1;
    j["codecs"] = {{"text", "text.model"}};
  });
  const LoadedModel loaded = load_model(old);
  EXPECT_EQ(write_config(loaded.config), write_config(*config_));
  const CodecEntry& text = loaded.config.codecs.at(Modality::text);
  EXPECT_EQ(text.file, "text.model");
  EXPECT_EQ(text.kind, "sentencepiece");
  EXPECT_EQ(text.first, 0);
  EXPECT_EQ(text.end, 300);
  EXPECT_EQ(loaded.codecs.get<codecs::TextCodec>(Modality::text).vocab_size(), 300);
}

TEST_F(ModelDir, SavingChecksTheCodecsAgainstTheConfig) {
  const LoadedModel m = load_model(tmp_->path("multimodal"));
  const auto& text = m.codecs.get<codecs::TextCodec>(Modality::text);
  const auto& image = m.codecs.get<codecs::ImageCodec>(Modality::image);
  const std::string out = tmp_->path("resaved");
  expect_error(
      [&] {
        save_model(out, m.config, *m.transformer, {&text, &image});
      },
      {"save_model", "config.codecs names audio.safetensors for audio, but no audio codec was given"});
  expect_error(
      [&] {
        save_model(out, *config_, *m.transformer, {&text, &image});
      },
      {"a codec was given for image, but config.codecs has no image entry"});
  ModelConfig smaller = m.config;
  smaller.codecs.at(Modality::image).end -= 1;
  expect_error([&] { save_model(out, smaller, *m.transformer, m.codecs.all()); },
               {"field 'codecs.image.ids'", "expected a range of 125 ids"});
  EXPECT_FALSE(fs::exists(out)) << "nothing is written when the codecs do not match";
  save_model(out, m.config, *m.transformer, m.codecs.all());
  EXPECT_EQ(write_config(load_model(out).config), write_config(m.config));
}

}  // namespace
}  // namespace tessera::model
