// The recipe: every field read and checked, errors that name the file and the field.
#include "train/train_config.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/expect_error.h"

namespace tessera::train {
namespace {

nlohmann::json minimal() {
  return {{"model", {{"dim", 32}, {"n_layers", 2}, {"n_heads", 4}, {"hidden", 64}, {"context_length", 16}}},
          {"data", {{"train", {"t.shard"}}, {"valid", {"/abs/v.shard"}}}},
          {"optimization", {{"steps", 100}, {"batch_size", 8}, {"lr", 1e-3}}}};
}

TEST(TrainConfig, ReadsEveryFieldAndFillsDefaults) {
  nlohmann::json j = minimal();
  j["optimization"]["micro_batches"] = 2;
  j["optimization"]["z_loss"] = 0;
  j["data"]["sampling"] = "sequential";
  j["eval"] = {{"every", 10}, {"batches", 3}};
  j["checkpoint"] = {{"every", 50}};
  j["log"] = {{"every", 5}};
  const TrainConfig c = TrainConfig::from_json(j, "run.json", "recipes");
  EXPECT_EQ(c.model.dim, 32);
  EXPECT_EQ(c.context_length, 16);
  EXPECT_TRUE(c.model.tied_embeddings);
  EXPECT_EQ(c.train_shards, std::vector<std::string>{"recipes/t.shard"});  // relative to the recipe
  EXPECT_EQ(c.valid_shards, std::vector<std::string>{"/abs/v.shard"});
  EXPECT_EQ(c.sampling, data::Sampling::sequential);
  EXPECT_EQ(c.micro_batches, 2);
  EXPECT_EQ(c.micro_batch_size(), 4);
  EXPECT_FLOAT_EQ(c.min_lr, 1e-4f);  // lr / 10 by default
  EXPECT_EQ(c.z_loss, 0.0f);
  EXPECT_EQ(c.eval_every, 10);
  EXPECT_EQ(c.eval_batches, 3);
  EXPECT_EQ(c.checkpoint_every, 50);
  EXPECT_EQ(c.log_every, 5);
  EXPECT_EQ(c.tokens_per_step(), 128);
  // to_json round-trips (paths already resolved stay as they are).
  const TrainConfig again = TrainConfig::from_json(c.to_json(), "again.json", "");
  EXPECT_EQ(again.to_json(), c.to_json());
  EXPECT_EQ(fingerprint(again.to_json()), fingerprint(c.to_json()));
  EXPECT_EQ(fingerprint(c.to_json()).size(), 16u);
}

TEST(TrainConfig, ErrorsNameTheFileAndTheField) {
  const auto refused = [](const std::function<void(nlohmann::json&)>& edit, std::initializer_list<std::string> parts) {
    nlohmann::json j = minimal();
    edit(j);
    expect_error([&] { TrainConfig::from_json(j, "run.json", ""); }, parts);
  };
  refused([](auto& j) { j.erase("model"); }, {"run.json", "field 'model'", "expected an object"});
  refused([](auto& j) { j["model"].erase("dim"); }, {"run.json", "'model.dim'", "found nothing"});
  refused([](auto& j) { j["model"]["dim"] = "big"; }, {"run.json", "'model.dim'", "integer >= 1", "\"big\""});
  refused([](auto& j) { j["model"]["n_heads"] = 3; }, {"run.json", "'model.n_heads'", "divisor of model.dim"});
  refused([](auto& j) { j["model"]["n_heads"] = 32; }, {"run.json", "'model.n_heads'", "even head dimension"});
  refused([](auto& j) { j["model"]["qk_norm"] = 1; }, {"'model.qk_norm'", "true or false"});
  refused([](auto& j) { j["model"]["dropout"] = 0.1; }, {"run.json", "'model.dropout'", "unknown field"});
  refused([](auto& j) { j["optimisation"] = j["optimization"]; }, {"run.json", "'optimisation'", "unknown section"});
  refused([](auto& j) { j["data"]["train"] = nlohmann::json::array(); }, {"'data.train'", "non-empty list"});
  refused([](auto& j) { j["data"]["valid"] = {3}; }, {"'data.valid'", "shard file names"});
  refused([](auto& j) { j["data"]["sampling"] = "shuffle"; }, {"run.json", "'data.sampling'", "\"shuffle\""});
  refused([](auto& j) { j["optimization"]["batch_size"] = 0; }, {"'optimization.batch_size'", "found 0"});
  refused([](auto& j) { j["optimization"]["micro_batches"] = 3; },
          {"'optimization.micro_batches'", "divisor of optimization.batch_size (8)", "found 3"});
  refused([](auto& j) { j["optimization"]["lr"] = -1; }, {"'optimization.lr'", "positive"});
  refused([](auto& j) { j["optimization"]["min_lr"] = 1; }, {"'optimization.min_lr'", "0 to lr"});
  refused([](auto& j) { j["optimization"]["warmup"] = 200; }, {"'optimization.warmup'", "0 to steps (100)"});
  refused([](auto& j) { j["optimization"]["beta2"] = 1; }, {"'optimization.beta2'", "[0, 1)"});
  refused([](auto& j) { j["optimization"]["clip"] = -1; }, {"'optimization.clip'", "0 turns clipping off"});
  refused([](auto& j) { j["optimization"]["z_loss"] = "a"; }, {"'optimization.z_loss'", "a number"});
  refused([](auto& j) { j["eval"] = {{"batches", 0}}; }, {"'eval.batches'", "integer >= 1", "found 0"});
  refused([](auto& j) { j["checkpoint"] = {{"every", -1}}; }, {"'checkpoint.every'", "integer >= 0"});
  refused([](auto& j) { j["log"] = 5; }, {"field 'log'", "expected an object"});
  expect_error([] { TrainConfig::from_json(nlohmann::json::array(), "run.json", ""); }, {"run.json", "JSON object"});
}

TEST(TrainConfig, LoadNamesAMissingOrBrokenFile) {
  expect_error([] { TrainConfig::load("no-such-recipe.json"); }, {"no-such-recipe.json"});
}

TEST(TrainConfig, OverridesAreCheckedAgain) {
  TrainConfig c = TrainConfig::from_json(minimal(), "run.json", "");
  c.steps = 10;
  c.warmup = 20;
  c.source = "run.json (with command-line overrides)";
  expect_error([&] { c.validate(); }, {"run.json (with command-line overrides)", "optimization.warmup", "found 20"});
}

TEST(TrainConfig, ShippedRecipesAreValid) {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(TESSERA_SOURCE_DIR) + "/recipes")) {
    if (entry.path().extension() != ".json") continue;
    // Codec recipes have their own format and test (tests/codecs).
    const std::string name = entry.path().filename().string();
    if (name.starts_with("image-codec-") || name.starts_with("audio-codec-")) continue;
    const TrainConfig c = TrainConfig::load(entry.path().string());
    EXPECT_GT(c.steps, 0) << entry.path();
  }
}

}  // namespace
}  // namespace tessera::train
