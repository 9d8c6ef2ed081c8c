// The transformer as a task of the loop, end to end on a tiny model: the output is a model
// directory, checkpoints never leave temporary files behind (and survive a crash mid-swap),
// the log carries every field, a resumed log drops what came after its checkpoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
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

class TextTaskTest : public ::testing::Test {
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

TEST_F(TextTaskTest, OutputIsAModelDirectoryAndCheckpointsLeaveNoTemporaryFiles) {
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

TEST_F(TextTaskTest, ACrashMidSwapKeepsTheLastGoodCheckpoint) {
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

TEST_F(TextTaskTest, LogRecordsCarryEveryField) {
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

TEST_F(TextTaskTest, ResumeDropsLogRecordsPastTheCheckpoint) {
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

TEST_F(TextTaskTest, AMissingCodecOrShardIsNamed) {
  expect_error([&] { train("codec", {"codecs.text=" + run.out("missing.model")}); }, {"missing.model"});
  write_file_atomically(run.out("train.shard"), "TSRSHARD-but-not-really");
  expect_error([&] { train("shard"); }, {"train.shard: not a shard file"});
}

}  // namespace
}  // namespace tessera::train
