// The model directory: what is saved loads back identical, and every kind of damage a
// user can meet is refused with a message naming the file and what is wrong.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "io/atomic_file.h"
#include "model/model_dir.h"
#include "support/expect_error.h"
#include "support/sample_text.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

namespace tessera::model {
namespace {

namespace fs = std::filesystem;

// config.json of `dir` as JSON, changed by `edit`, written back.
void edit_config(const std::string& dir, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = nlohmann::json::parse(read_file(dir + "/config.json"));
  edit(j);
  write_text(dir + "/config.json", j.dump(2));
}

class ModelDir : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir;
    config_ = new ModelConfig(testing::write_tiny_model(tmp_->path("tiny")));
  }
  static void TearDownTestSuite() {
    delete config_;
    delete tmp_;
  }
  // A fresh copy of the saved model to damage.
  std::string copy(const std::string& name) {
    const std::string dir = tmp_->path(name);
    fs::copy(tmp_->path("tiny"), dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    return dir;
  }
  static TempDir* tmp_;
  static ModelConfig* config_;
};
TempDir* ModelDir::tmp_ = nullptr;
ModelConfig* ModelDir::config_ = nullptr;

TEST_F(ModelDir, SaveThenLoadIsBitIdentical) {
  const LoadedModel loaded = load_model(tmp_->path("tiny"));
  EXPECT_EQ(loaded.config.to_json(), config_->to_json());
  ASSERT_TRUE(loaded.text.has_value());
  EXPECT_EQ(loaded.text->vocab_size(), config_->vocabulary.text_size);
  Rng rng(testing::TinyModelOptions{}.seed);  // the same seed write_tiny_model built with
  const Transformer original(config_->transformer, rng);
  const nn::NamedTensors ours = original.named_parameters(), theirs = loaded.transformer->named_parameters();
  ASSERT_EQ(ours.size(), theirs.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(ours[i].first, theirs[i].first);
    EXPECT_EQ(ours[i].second.to_vector(), theirs[i].second.to_vector()) << ours[i].first;
  }
  EXPECT_EQ(load_model_config(tmp_->path("tiny")).to_json(), config_->to_json());
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
  expect_error([&] { load_model(no_codec); }, {"no_codec", "has no text.model (the text codec"});
}

TEST_F(ModelDir, CorruptOrMistypedConfig) {
  const std::string corrupt = copy("corrupt_json");
  write_text(corrupt + "/config.json", "{\"format\": \"tessera-model\", ");
  expect_error([&] { load_model(corrupt); }, {"config.json", "not valid JSON"});

  const std::string mistyped = copy("mistyped");
  edit_config(mistyped, [](nlohmann::json& j) { j["architecture"]["dim"] = "thirty-two"; });
  expect_error([&] { load_model(mistyped); },
               {"config.json", "field 'architecture.dim'", "expected a positive integer", "\"thirty-two\""});

  const std::string flag = copy("mistyped_flag");
  edit_config(flag, [](nlohmann::json& j) { j["architecture"]["qk_norm"] = 1; });
  expect_error([&] { load_model(flag); }, {"field 'architecture.qk_norm'", "expected true or false", "found 1"});

  const std::string missing = copy("missing_field");
  edit_config(missing, [](nlohmann::json& j) { j["architecture"].erase("n_heads"); });
  expect_error([&] { load_model(missing); }, {"field 'architecture.n_heads'", "found nothing"});
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

TEST_F(ModelDir, ATextCodecOfAnotherVocabularySize) {
  const std::string other = copy("other_codec");
  edit_config(other, [](nlohmann::json& j) { j["vocabulary"]["text"] = j["vocabulary"]["text"].get<int>() + 5; });
  const std::string text = std::to_string(config_->vocabulary.text_size);
  expect_error([&] { load_model(other); },
               {"text.model", "the text codec has " + text + " tokens",
                "'vocabulary.text' says " + std::to_string(config_->vocabulary.text_size + 5)});
}

}  // namespace
}  // namespace tessera::model
