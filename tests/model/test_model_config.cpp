// config.json read through io/fields: each part of it (the top level, the architecture, the
// vocabulary, the codec entries) refuses unknown fields and wrong types, naming the file,
// the field's path, what was expected and what was found.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "model/model_config.h"
#include "support/expect_error.h"

namespace tessera::model {
namespace {

using codecs::Modality;
using nlohmann::json;

// A valid config.json of a model with a text and an image codec.
json good_config() {
  ModelConfig c;
  c.transformer.dim = 32;
  c.transformer.n_layers = 2;
  c.transformer.n_heads = 4;
  c.transformer.hidden = 64;
  c.context_length = 64;
  c.vocabulary.text_size = 300;
  c.vocabulary.image_size = 125;
  c.codecs[Modality::text] = {"text.model", "sentencepiece", 0, 300};
  c.codecs[Modality::image] = {"image.safetensors", "tessera-image-codec", 311, 436};
  c.finalize("good");
  return write_config(c);
}

ModelConfig read(const json& j) { return read_config<ModelConfig>(config_source(j, "m/config.json")); }

// Expects reading `good_config()` changed by `edit` to fail with every one of `parts`.
void expect_refused(const std::function<void(json&)>& edit, std::initializer_list<std::string> parts,
                    std::source_location where = std::source_location::current()) {
  json j = good_config();
  edit(j);
  expect_error([&] { read(j); }, parts, where);
}

TEST(ModelConfig, WritesAndReadsBack) {
  const json j = good_config();
  EXPECT_EQ(j.at("format"), "tessera-model");
  EXPECT_EQ(j.at("version"), 2);
  EXPECT_EQ(j.at("architecture").at("context_length"), 64);
  EXPECT_EQ(j.at("codecs").at("image"),
            (json{{"file", "image.safetensors"}, {"kind", "tessera-image-codec"}, {"ids", {311, 436}}}));
  const ModelConfig c = read(j);
  EXPECT_EQ(c.transformer.vocab_size, 436);
  EXPECT_EQ(c.codecs.at(Modality::image).first, 311);
  EXPECT_EQ(write_config(c), j);
}

TEST(ModelConfig, TopLevel) {
  expect_refused([](json& j) { j["license"] = "mit"; },
                 {"m/config.json", "field 'license'", "unknown field", "architecture, codecs"});
  expect_refused([](json& j) { j["format"] = "gguf"; },
                 {"m/config.json", "field 'format'", "expected \"tessera-model\"", "found \"gguf\""});
  expect_refused([](json& j) { j["version"] = 3; }, {"field 'version'", "expected an integer in [1, 2]", "found 3"});
  expect_refused([](json& j) { j["version"] = "2"; }, {"field 'version'", "found \"2\""});
  expect_refused([](json& j) { j.erase("vocabulary"); }, {"field 'vocabulary'", "expected an object, found nothing"});
  expect_refused([](json& j) { j["codecs"] = json::array(); }, {"field 'codecs'", "expected an object, found []"});
  expect_error([] { read_config<ModelConfig>(config_source(json::array(), "m/config.json")); },
               {"m/config.json", "expected a JSON object"});
}

TEST(ModelConfig, Architecture) {
  expect_refused([](json& j) { j["architecture"]["dim"] = "thirty-two"; },
                 {"m/config.json", "field 'architecture.dim'", "expected an integer >= 1", "found \"thirty-two\""});
  expect_refused([](json& j) { j["architecture"]["qk_norm"] = 1; },
                 {"field 'architecture.qk_norm'", "expected true or false", "found 1"});
  expect_refused([](json& j) { j["architecture"].erase("rope_theta"); },
                 {"field 'architecture.rope_theta'", "found nothing"});
  expect_refused([](json& j) { j["architecture"]["n_heads"] = 5; },
                 {"field 'architecture.n_heads'", "a divisor of dim (32)", "found 5"});
  expect_refused([](json& j) { j["architecture"]["context_length"] = 0; },
                 {"field 'architecture.context_length'", "found 0"});
  expect_refused([](json& j) { j["architecture"]["dropout"] = 0.1; },
                 {"field 'architecture.dropout'", "unknown field"});
}

TEST(ModelConfig, Vocabulary) {
  expect_refused([](json& j) { j["vocabulary"]["text"] = "300"; },
                 {"m/config.json", "field 'vocabulary.text'", "expected an integer in [0, 2147483647]", "\"300\""});
  expect_refused([](json& j) { j["vocabulary"]["audio"] = -2; }, {"field 'vocabulary.audio'", "found -2"});
  expect_refused([](json& j) { j["vocabulary"]["control"] = "<bos>"; },
                 {"field 'vocabulary.control'", "expected a list of strings"});
  expect_refused([](json& j) { j["vocabulary"]["control"] = {"<bos>", 7}; }, {"field 'vocabulary.control'", "found 7"});
  expect_refused(
      [](json& j) {
        j["vocabulary"]["control"] = {"<bos>", "<eos>", "<bos>"};
      },
      {"field 'vocabulary.control'", "expected distinct token names", "found \"<bos>\" twice"});
  expect_refused([](json& j) { j["vocabulary"]["video"] = 10; }, {"field 'vocabulary.video'", "unknown field"});
  expect_refused([](json& j) { j["vocabulary"]["text"] = INT32_MAX; },
                 {"field 'vocabulary.audio'", "at most 2147483647 ids in all (32-bit ids)"});
}

TEST(ModelConfig, CodecEntries) {
  expect_refused([](json& j) { j["codecs"]["text"]["license"] = "mit"; },
                 {"m/config.json", "field 'codecs.text.license'", "unknown field", "file, ids, kind"});
  expect_refused(
      [](json& j) {
        j["codecs"]["video"] = {{"file", "v.bin"}};
      },
      {"field 'codecs.video'", "unknown field", "image, text"});
  expect_refused([](json& j) { j["codecs"]["text"] = "text.model"; },
                 {"field 'codecs.text'", "expected an object, found \"text.model\""});
  expect_refused([](json& j) { j["codecs"]["image"]["kind"] = "sentencepiece"; },
                 {"field 'codecs.image.kind'", "expected \"tessera-image-codec\"", "found \"sentencepiece\""});
  expect_refused([](json& j) { j["codecs"]["image"]["file"] = "../image.safetensors"; },
                 {"field 'codecs.image.file'", "a file name inside the model folder", "\"../image.safetensors\""});
  expect_refused([](json& j) { j["codecs"]["image"]["ids"] = {311}; },
                 {"field 'codecs.image.ids'", "[first, end] with first < end", "found [311]"});
  expect_refused(
      [](json& j) {
        j["codecs"]["image"]["ids"] = {300, 425};
      },
      {"field 'codecs.image.ids'", "expected [311, 436], the vocabulary's image range", "found [300, 425]"});
  expect_refused([](json& j) { j["codecs"]["text"].erase("kind"); }, {"field 'codecs.text.kind'", "found nothing"});
  expect_refused([](json& j) { j["codecs"].erase("image"); },
                 {"field 'codecs.image'", "expected a codec for the vocabulary's 125 image ids, found none"});
  expect_refused(
      [](json& j) {
        j["codecs"]["audio"] = {{"file", "audio.safetensors"}, {"kind", "tessera-audio-codec"}, {"ids", {436, 500}}};
      },
      {"field 'codecs.audio.ids'", "expected no audio codec (the vocabulary has no audio ids)", "found [436, 500]"});
}

TEST(ModelConfig, Version1Codecs) {
  json j = good_config();
  j["version"] = 1;
  j["codecs"] = {{"text", "text.model"}, {"image", "image.safetensors"}};
  const ModelConfig c = read(j);
  EXPECT_EQ(write_config(c), good_config()) << "a version 1 file reads as the version 2 it converts to";
  j["codecs"]["text"] = 4;
  expect_error([&] { read(j); }, {"field 'codecs.text'", "expected a string, found 4"});
  j["codecs"] = {{"text", "text.model"}};
  expect_error([&] { read(j); }, {"field 'codecs.image'", "a codec for the vocabulary's 125 image ids"});
}

TEST(ModelConfig, AddCodecTakesTheVocabularyRange) {
  ModelConfig c;
  c.vocabulary.text_size = 300;
  c.vocabulary.image_size = 125;
  struct FakeImageCodec : codecs::Codec {
    int64_t size = 125;
    Modality modality() const override { return Modality::image; }
    std::string kind() const override { return "tessera-image-codec"; }
    int64_t vocab_size() const override { return size; }
    std::string description() const override { return "fake"; }
    void save(const std::string&) const override {}
  } image;
  c.add_codec(image);
  EXPECT_EQ(c.codecs.at(Modality::image).file, "image.safetensors");
  EXPECT_EQ(c.codecs.at(Modality::image).first, 311);
  EXPECT_EQ(c.codecs.at(Modality::image).end, 436);
  image.size = 100;
  expect_error([&] { c.add_codec(image); }, {"the image codec", "has 100 ids", "image range holds 125"});
}

}  // namespace
}  // namespace tessera::model
