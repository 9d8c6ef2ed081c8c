// The transformer as a task of the loop, end to end on a tiny model: the output is a model
// directory, checkpoints never leave temporary files behind (and survive a crash mid-swap),
// the log carries every field, a resumed log drops what came after its checkpoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "io/atomic_file.h"
#include "model/model_dir.h"
#include "support/expect_error.h"
#include "support/tiny_recipes.h"
#include "train/checkpoint.h"
#include "train/loop.h"

namespace tessera::train {
namespace {

namespace fs = std::filesystem;

class TransformerTaskTest : public ::testing::Test {
 protected:
  LoopResult train(const std::string& name, const std::vector<std::string>& sets = {}, bool resume = false,
                   int64_t stop_at = 0) {
    LoopOptions options;
    options.resume = resume;
    options.stop_at = stop_at;
    return run.train(name, sets, nullptr, options);
  }

  std::vector<nlohmann::json> log_records(const std::string& name) const {
    std::istringstream in(read_file(run.out(name + "/log.jsonl")));
    std::vector<nlohmann::json> records;
    for (std::string line; std::getline(in, line);) records.push_back(nlohmann::json::parse(line));
    return records;
  }
  static std::vector<std::string> listing(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  testing::TinyRun run{"transformer"};
};

TEST_F(TransformerTaskTest, OutputIsAModelDirectoryAndCheckpointsLeaveNoTemporaryFiles) {
  const LoopResult r = train("run");  // checkpoints at 4, 8, 12
  EXPECT_EQ(r.outcome, Outcome::finished);
  EXPECT_EQ(listing(run.out("run")), (std::vector<std::string>{"checkpoint", "config.json", "log.jsonl", "loss.png",
                                                               "model.safetensors", "recipe.json", "text.model"}));
  EXPECT_EQ(listing(run.out("run/checkpoint")),
            (std::vector<std::string>{"config.json", "model.safetensors", "optimizer.safetensors", "text.model",
                                      "trainer.json"}));
  const model::LoadedModel loaded = model::load_model(run.out("run"));
  EXPECT_EQ(loaded.config.context_length, 16);
  EXPECT_EQ(loaded.config.vocabulary.text_size, 300);
  const nlohmann::json state = nlohmann::json::parse(read_file(run.out("run/checkpoint/trainer.json")));
  EXPECT_EQ(state["step"], 12);
  EXPECT_EQ(state["task"]["data"]["sampling"], "random");
  EXPECT_TRUE(state["best"]["valid_loss"].is_number());
  EXPECT_EQ(state["recipe_fingerprint"], fingerprint(nlohmann::json::parse(read_file(run.out("run/recipe.json")))));
  EXPECT_LT(r.eval.at(0).value, 6.0) << "the held-out loss, below ln(300) = 5.7 after a few steps";
}

TEST_F(TransformerTaskTest, ACrashMidSwapKeepsTheLastGoodCheckpoint) {
  train("crash", {}, false, 8);
  // As if the process died after moving the old checkpoint aside and while writing a new one.
  fs::rename(run.out("crash/checkpoint"), run.out("crash/checkpoint.old"));
  fs::create_directories(run.out("crash/checkpoint.new"));
  write_file_atomically(run.out("crash/checkpoint.new/model.safetensors"), "half a file");
  const LoopResult r = train("crash", {}, true);
  EXPECT_EQ(r.step, 12);
  const std::vector<std::string> names = listing(run.out("crash"));
  EXPECT_EQ(std::count(names.begin(), names.end(), "checkpoint.old"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "checkpoint.new"), 0);
  EXPECT_EQ(nlohmann::json::parse(read_file(run.out("crash/checkpoint/trainer.json")))["step"], 12);
}

TEST_F(TransformerTaskTest, LogRecordsCarryEveryField) {
  const LoopResult r = train("log", {"log.every=2"});
  std::vector<int64_t> step_lines, eval_lines;
  for (const nlohmann::json& record : log_records("log")) {
    if (record["type"] == "step") {
      for (const char* field : {"step", "loss", "lr", "grad_norm", "ms", "tokens_per_s", "mfu", "eta_s"}) {
        EXPECT_TRUE(record.contains(field) && record[field].is_number()) << field << " in " << record.dump();
      }
      EXPECT_GT(record["loss"].get<double>(), 0);
      EXPECT_GT(record["mfu"].get<double>(), 0);
      step_lines.push_back(record["step"]);
    } else {
      EXPECT_EQ(record["type"], "eval");
      EXPECT_TRUE(record["valid_loss"].is_number());
      eval_lines.push_back(record["step"]);
    }
  }
  EXPECT_EQ(step_lines, (std::vector<int64_t>{1, 2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(eval_lines, (std::vector<int64_t>{6, 12}));
  EXPECT_TRUE(fs::exists(run.out("log/loss.png")));
  EXPECT_GT(r.first_loss, r.last_loss);
}

TEST_F(TransformerTaskTest, ResumeDropsLogRecordsPastTheCheckpoint) {
  train("trim", {}, false, 6);  // checkpoints at 4 and 6
  // As if a crash came after step 7 was logged but before any later checkpoint.
  std::FILE* log = std::fopen(run.out("trim/log.jsonl").c_str(), "a");
  std::fputs("{\"type\":\"step\",\"step\":7,\"loss\":9.0}\n", log);
  std::fclose(log);
  train("trim", {}, true);
  int64_t previous = 0;
  for (const nlohmann::json& r : log_records("trim")) {
    if (r["type"] != "step") continue;
    EXPECT_GT(r["step"].get<int64_t>(), previous) << "each step once, in order";
    EXPECT_NE(r["loss"].get<double>(), 9.0);
    previous = r["step"];
  }
  EXPECT_EQ(previous, 12);
}

TEST_F(TransformerTaskTest, AMissingCodecOrShardIsNamed) {
  expect_error([&] { train("codec", {"codecs.text=" + run.out("missing.model")}); }, {"missing.model"});
  write_file_atomically(run.out("train.shard"), "TSRSHARD-but-not-really");
  expect_error([&] { train("shard"); }, {"train.shard: not a shard file"});
}

// The same task over text, image and audio codes: examples packed, the loss weighed by modality
// and reported per modality and per task.
class MixedTaskTest : public TransformerTaskTest {
 protected:
  LoopResult train_mixed(const std::string& name, const std::vector<std::string>& sets, std::string* output) {
    return mixed.train(name, sets, output);
  }
  testing::TinyRun mixed{"mixed"};
};

TEST_F(MixedTaskTest, TheModelFolderHoldsEveryCodecAndEvaluationReportsEachModalityAndTask) {
  std::string output;
  const LoopResult r = train_mixed("run", {}, &output);
  EXPECT_EQ(r.outcome, Outcome::finished);
  const model::LoadedModel loaded = model::load_model(mixed.out("run"));
  EXPECT_TRUE(loaded.codecs.has(codecs::Modality::image));
  EXPECT_TRUE(loaded.codecs.has(codecs::Modality::audio));
  EXPECT_EQ(loaded.config.vocabulary.image_size, 125);
  EXPECT_EQ(loaded.config.vocabulary.audio_size, 250);
  std::vector<std::string> names;
  for (const Metric& m : r.eval) names.push_back(m.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"valid_loss", "valid_text", "valid_image", "valid_audio", "valid_plain_text",
                                      "valid_caption", "valid_draw", "valid_transcribe", "valid_speak",
                                      "valid_draw_said", "valid_say_image", "valid_interleaved"}));
  EXPECT_NE(output.find("training examples: 48 (plain_text 6, caption 6, draw 6, transcribe 6, speak 6, draw_said 6, "
                        "say_image 6, interleaved 6)"),
            std::string::npos)
      << output;
  EXPECT_EQ(testing::logged(output, "image loss").size(), 12u);
  EXPECT_EQ(testing::logged(output, "targets").size(), 12u);
}

TEST_F(MixedTaskTest, TheLossIsTheModalityWeightedMean) {
  // Weight on one modality alone makes the loss that modality's mean, which the log reports on
  // its own. Peaked initial logits (init_std 0.5) set the modalities' losses far apart.
  const auto first_step = [&](const std::string& name, const std::string& weights) {
    std::string output;
    std::vector<std::string> sets = {"optimization.steps=1", "optimization.warmup=0", "loss.z_loss=0",
                                     "model.init_std=0.5"};
    for (const char* m : {"text", "image", "audio"}) {
      sets.push_back(str("loss.weights.", m, "=", weights == m ? 1 : 0));
    }
    train_mixed(name, sets, &output);
    std::map<std::string, double> logged;
    for (const char* field : {"loss", "text loss", "image loss", "audio loss"}) {
      logged[field] = testing::logged(output, field).at(0);
    }
    return logged;
  };
  for (const std::string m : {"text", "image", "audio"}) {
    const std::map<std::string, double> step = first_step(m, m);
    EXPECT_NEAR(step.at("loss"), step.at(m + " loss"), 1e-3) << m;
    for (const std::string other : {"text", "image", "audio"}) {
      if (other == m) continue;
      EXPECT_GT(std::abs(step.at("loss") - step.at(other + " loss")), 5e-3) << m << " vs " << other;
    }
  }
}

TEST_F(MixedTaskTest, RecipeMistakesAreNamed) {
  expect_error([&] { train_mixed("a", {"data.sampling=random"}, nullptr); },
               {"--set data.sampling=random: unknown field"});
  expect_error([&] { train_mixed("b", {"loss.weights.audio=-1"}, nullptr); },
               {"--set loss.weights.audio=-1: expected a number >= 0, found -1"});
  expect_error([&] { train_mixed("c", {"model.context_length=8"}, nullptr); },
               {"train.shard: example 0 holds", "more than the context length + 1 (9)"});
}

TEST_F(MixedTaskTest, ShardsBuiltWithOtherCodecsAreRefused) {
  // corpus.json beside the shards says which layout `tessera data build` wrote them in.
  codecs::Vocabulary other;
  other.text_size = 300;
  other.image_size = 999;
  other.audio_size = 250;
  write_file_atomically(mixed.out("corpus.json"), nlohmann::json{{"vocabulary", write_config(other)}}.dump());
  expect_error([&] { train_mixed("other", {}, nullptr); }, {"train.shard: built (", "corpus.json) in the vocabulary ",
                                                            "image 999", "but the recipe's codecs make ", "image 125"});
}

}  // namespace
}  // namespace tessera::train
