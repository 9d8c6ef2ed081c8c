// Recipes: one reader for every task, every field checked, errors that name the file (or
// the --set) and the field's JSON path; the shipped recipes read.
#include <gtest/gtest.h>

#include <filesystem>

#include "data/corpus_recipe.h"
#include "io/atomic_file.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"
#include "support/tiny_recipes.h"
#include "train/audio_codec_task.h"
#include "train/image_codec_task.h"
#include "train/recipe.h"
#include "train/transformer_task.h"

namespace tessera::train {
namespace {

using testing::TinyRun;

class RecipeTest : public ::testing::Test {
 protected:
  // The tiny transformer recipe with `edit` applied, read back.
  Recipe read_edited(const std::function<void(nlohmann::json&)>& edit, const std::vector<std::string>& sets = {}) {
    nlohmann::json j = base;
    edit(j);
    text.write_recipe(j);
    return text.read(sets);
  }
  void refused(const std::function<void(nlohmann::json&)>& edit, std::initializer_list<std::string> parts) {
    expect_error([&] { read_edited(edit); }, parts);
  }

  TinyRun text{"transformer"};
  const nlohmann::json base = text.recipe();
};

TEST_F(RecipeTest, ReadsEverySectionOfTheTransformerAndFillsDefaults) {
  const Recipe r = read_edited([](nlohmann::json& j) {
    j["data"]["sampling"] = "sequential";
    j["loss"] = {{"z_loss", 0}};
    j["log"] = {{"every", 5}};
  });
  EXPECT_EQ(r.task, "transformer");
  const auto& c = dynamic_cast<const TransformerTaskConfig&>(*r.config);
  EXPECT_EQ(c.model.dim, 16);
  EXPECT_EQ(c.context_length, 16);
  EXPECT_TRUE(c.model.tied_embeddings) << "a recipe's model ties its head unless told";
  EXPECT_EQ(c.train_shards, std::vector<std::string>{text.out("train.shard")}) << "relative to the recipe";
  EXPECT_EQ(c.codec_files.text, text.out("text.model"));
  EXPECT_EQ(c.sampling, data::Sampling::sequential);
  EXPECT_EQ(c.z_loss, 0);
  EXPECT_EQ(c.eval_batches, 2);
  const OptimizationConfig& o = r.loop.optimization;
  EXPECT_EQ(o.micro_batch_size(), 2);
  EXPECT_DOUBLE_EQ(o.min_lr, 3e-4) << "lr / 10 by default";
  EXPECT_EQ(o.beta2, 0.95);
  EXPECT_EQ(o.eps, 1e-8);
  EXPECT_EQ(r.loop.eval_every, 6);
  EXPECT_EQ(r.loop.checkpoint_every, 4);
  EXPECT_EQ(r.loop.log_every, 5);
}

TEST_F(RecipeTest, TheRecipeAsRunReadsBackAsTheSameRecipeFromTheRunsFolder) {
  const Recipe r = text.read({"optimization.lr=0.01"});
  const std::string out = text.out("runs/x");
  std::filesystem::create_directories(out);
  write_file_atomically(out + "/recipe.json", r.to_json(out).dump(2));
  const Recipe again = read_recipe(out + "/recipe.json");
  EXPECT_EQ(again.to_json(out), r.to_json(out));
  EXPECT_EQ(again.loop.optimization.lr, 0.01);
  EXPECT_EQ(fingerprint(again.to_json(out)), fingerprint(r.to_json(out)));
  EXPECT_EQ(r.to_json(out)["data"]["train"][0], text.out("train.shard")) << "absolute, as it was read";
}

TEST_F(RecipeTest, ErrorsNameTheFileAndTheField) {
  refused([](auto& j) { j.erase("task"); }, {"recipe.json: field 'task': expected \"transformer\" or"});
  refused([](auto& j) { j["task"] = "vision"; }, {"field 'task'", "found \"vision\""});
  refused([](auto& j) { j.erase("model"); }, {"recipe.json: field 'model': expected an object, found nothing"});
  refused([](auto& j) { j["model"].erase("dim"); }, {"field 'model.dim'", "found nothing"});
  refused([](auto& j) { j["model"]["dim"] = "big"; }, {"field 'model.dim': expected an integer >= 1, found \"big\""});
  refused([](auto& j) { j["model"]["n_heads"] = 3; }, {"field 'model.n_heads'", "divisor of dim (16)"});
  refused([](auto& j) { j["model"]["n_heads"] = 16; }, {"field 'model.n_heads'", "even head dimension"});
  refused([](auto& j) { j["model"]["qk_norm"] = 1; }, {"field 'model.qk_norm': expected true or false, found 1"});
  refused([](auto& j) { j["model"]["dropout"] = 0.1; }, {"field 'model.dropout': unknown field"});
  refused([](auto& j) { j["optimisation"] = j["optimization"]; }, {"field 'optimisation': unknown field"});
  refused([](auto& j) { j["codecs"].erase("text"); }, {"field 'codecs.text': expected a file path, found nothing"});
  refused([](auto& j) { j["data"]["train"] = nlohmann::json::array(); }, {"'data.train'", "non-empty list"});
  refused([](auto& j) { j["data"]["valid"] = {3}; }, {"'data.valid'", "file paths, found 3"});
  refused([](auto& j) { j["data"]["sampling"] = "shuffle"; }, {"'data.sampling'", "found \"shuffle\""});
  refused([](auto& j) { j["optimization"]["batch_size"] = 0; }, {"'optimization.batch_size'", "found 0"});
  refused([](auto& j) { j["optimization"]["micro_batches"] = 3; },
          {"'optimization.micro_batches'", "divisor of batch_size (4)", "found 3"});
  refused([](auto& j) { j["optimization"]["lr"] = -1; }, {"'optimization.lr': expected a number > 0, found -1"});
  refused([](auto& j) { j["optimization"]["min_lr"] = 1; }, {"'optimization.min_lr'", "[0, 0.003]"});
  refused([](auto& j) { j["optimization"]["warmup"] = 200; }, {"'optimization.warmup'", "[0, 12]", "found 200"});
  refused([](auto& j) { j["optimization"]["beta2"] = 1; }, {"'optimization.beta2'", "[0, 1)"});
  refused([](auto& j) { j["optimization"]["clip"] = -1; }, {"'optimization.clip'", ">= 0"});
  refused([](auto& j) { j["optimization"]["minutes"] = "ten"; }, {"'optimization.minutes'", "found \"ten\""});
  refused([](auto& j) { j["loss"] = {{"z_loss", "a"}}; }, {"'loss.z_loss'", "a number >= 0"});
  refused([](auto& j) { j["eval"]["batches"] = 0; }, {"'eval.batches'", "integer >= 1", "found 0"});
  refused([](auto& j) { j["checkpoint"] = {{"every", -1}}; }, {"'checkpoint.every'", "integer >= 0"});
  refused([](auto& j) { j["log"] = 5; }, {"field 'log': expected an object, found 5"});
  refused([](auto& j) { j["eval"]["images"] = 5; }, {"field 'eval.images': unknown field"});
  expect_error([] { read_recipe("no-such-recipe.json"); }, {"no-such-recipe.json"});
}

TEST_F(RecipeTest, EveryFieldCanBeSetFromTheCommandLineAndIsCheckedTheSameWay) {
  const Recipe r = read_edited([](auto&) {}, {"optimization.lr=0.01", "model.n_layers=2", "data.sampling=sequential",
                                              "optimization.minutes=1.5", "codecs.text=other.model"});
  EXPECT_EQ(r.loop.optimization.lr, 0.01);
  EXPECT_EQ(r.loop.optimization.minutes, 1.5);
  const auto& c = dynamic_cast<const TransformerTaskConfig&>(*r.config);
  EXPECT_EQ(c.model.n_layers, 2);
  EXPECT_EQ(c.sampling, data::Sampling::sequential);
  EXPECT_EQ(c.codec_files.text, "other.model") << "a path on the command line is relative to the working directory";
  expect_error([&] { text.read({"optimization.steps=1"}); },
               {"recipe.json: field 'optimization.warmup': expected an integer in [0, 1], found 2"});
  expect_error([&] { text.read({"optimization.lr=fast"}); },
               {"--set optimization.lr=fast: expected a number > 0, found \"fast\""});
  expect_error([&] { text.read({"optimization.lrr=1"}); }, {"--set optimization.lrr=1: unknown field"});
}

TEST(RecipeCodecs, TheCodecTasksReadTheirSectionsAndTheirOwnDefaults) {
  TinyRun image("image_codec"), audio("audio_codec");
  const Recipe i = image.read();
  const auto& ic = dynamic_cast<const ImageCodecTaskConfig&>(*i.config);
  EXPECT_EQ(ic.data.dir, image.out("images"));
  EXPECT_TRUE(ic.flip);
  EXPECT_EQ(ic.keep_codes, 40);
  EXPECT_EQ(i.loop.optimization.beta2, 0.99) << "the codecs' default";
  EXPECT_EQ(i.loop.optimization.weight_decay, 0);
  const Recipe a = audio.read();
  const auto& ac = dynamic_cast<const AudioCodecTaskConfig&>(*a.config);
  EXPECT_EQ(ac.crop_frames, 16);
  EXPECT_EQ(ac.codec.stages, 2);

  expect_error([&] { image.read({"codebook.keep_codes=65"}); },
               {"--set codebook.keep_codes=65: expected 0 or at most the codebook's 64 codes, found 65"});
  expect_error(
      [&] {
        image.read({"codec.quantizer.type=fsq", "codec.quantizer.levels=[5,5,5]", "codebook.keep_codes=0"});
      },
      {"field 'codec.quantizer.codebook_size': unknown field"});
  expect_error([&] { image.read({"codec.encoder.res_blocks=-1"}); },
               {"--set codec.encoder.res_blocks=-1: expected an integer >= 0, found -1"});
  expect_error([&] { image.read({"data.flip=1"}); }, {"--set data.flip=1: expected true or false, found 1"});
  expect_error([&] { image.read({"eval.clips=3"}); }, {"--set eval.clips=3: unknown field"});
  expect_error([&] { audio.read({"data.crop_frames=30"}); },
               {"--set data.crop_frames=30: expected a multiple of the 4 mel frames of one code frame, found 30"});
  expect_error([&] { audio.read({"codec.quantizer.stages=20"}); },
               {"--set codec.quantizer.stages=20: expected an integer in [1, 8], found 20"});
  expect_error([&] { audio.read({"codec.mel.n_mel=80"}); }, {"--set codec.mel.n_mel=80: unknown field"});
}

TEST(RecipeShipped, EveryShippedRecipeReads) {
  int found = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(TESSERA_SOURCE_DIR) + "/recipes")) {
    if (entry.path().extension() != ".json") continue;
    const std::string name = entry.path().filename().string();
    if (name.ends_with("-data.json")) {  // a corpus recipe, for `tessera data build`
      EXPECT_NO_THROW(data::read_corpus_recipe(entry.path().string())) << name;
      continue;
    }
    const Recipe r = read_recipe(entry.path().string());
    if (r.task != "transformer") {
      EXPECT_GT(r.loop.optimization.minutes, 0) << name << ": a shipped codec recipe keeps to a time budget";
      EXPECT_LE(r.loop.optimization.minutes, 20) << name;
    }
    ++found;
  }
  EXPECT_GE(found, 6);
  const Recipe emoji = read_recipe(std::string(TESSERA_SOURCE_DIR) + "/recipes/image-codec-emoji.json");
  EXPECT_EQ(dynamic_cast<const ImageCodecTaskConfig&>(*emoji.config).codec.codes_per_image(), 64);
}

}  // namespace
}  // namespace tessera::train
