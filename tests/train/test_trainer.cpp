// The trainer end to end on a tiny model: exact resumption, checkpoints that never leave
// temporary files behind (and survive a crash mid-swap), the log's fields, clear refusals.
#include "train/trainer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "io/atomic_file.h"
#include "codecs/text_codec.h"
#include "model/model_dir.h"
#include "support/expect_error.h"
#include "support/tiny_training.h"
#include "train/checkpoint.h"

namespace tessera::train {
namespace {

namespace fs = std::filesystem;

class TrainerTest : public ::testing::Test {
 protected:
  TrainerOptions options(const std::string& out, nlohmann::json recipe = TinyTraining::recipe()) {
    tiny.write_recipe(recipe);
    TrainerOptions o;
    o.config = TrainConfig::load(tiny.recipe_path());
    o.text_codec = tiny.codec_path();
    o.out_dir = tiny.out(out);
    o.peak_flops = 1e10;  // measuring the peak is not what these tests are about
    o.out = quiet;
    return o;
  }
  void TearDown() override { std::fclose(quiet); }

  static std::vector<nlohmann::json> log_records(const std::string& out_dir) {
    std::istringstream in(read_file((fs::path(out_dir) / "log.jsonl").string()));
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

  TinyTraining tiny;
  std::FILE* quiet = std::fopen("/dev/null", "w");
};

TEST_F(TrainerTest, TenStepsResumeTenStepsEqualsTwentySteps) {
  nlohmann::json recipe = TinyTraining::recipe();
  recipe["optimization"]["micro_batches"] = 2;  // the accumulation path resumes exactly too
  recipe["log"] = {{"every", 1}};

  const TrainResult whole = run_training(options("whole", recipe));
  EXPECT_EQ(whole.outcome, TrainOutcome::finished);
  EXPECT_EQ(whole.step, 20);

  TrainerOptions first = options("split", recipe);
  first.stop_at = 10;
  EXPECT_EQ(run_training(first).outcome, TrainOutcome::stopped);
  TrainerOptions second = options("split", recipe);
  second.resume = true;
  const TrainResult resumed = run_training(second);
  EXPECT_EQ(resumed.outcome, TrainOutcome::finished);
  EXPECT_EQ(resumed.step, 20);
  EXPECT_EQ(resumed.valid_loss, whole.valid_loss);

  // Every logged loss, bit for bit (the log keeps floats exactly), and the same records.
  const auto a = log_records(tiny.out("whole")), b = log_records(tiny.out("split"));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]["type"], b[i]["type"]) << i;
    EXPECT_EQ(a[i]["step"], b[i]["step"]) << i;
    EXPECT_EQ(a[i].value("loss", 0.0), b[i].value("loss", 0.0)) << "step " << a[i]["step"];
    EXPECT_EQ(a[i].value("grad_norm", 0.0), b[i].value("grad_norm", 0.0)) << "step " << a[i]["step"];
    EXPECT_EQ(a[i].value("valid_loss", 0.0), b[i].value("valid_loss", 0.0)) << "step " << a[i]["step"];
  }
  // The weights and the optimizer state, byte for byte.
  EXPECT_EQ(read_file(tiny.out("whole/model.safetensors")), read_file(tiny.out("split/model.safetensors")));
  EXPECT_EQ(read_file(tiny.out("whole/checkpoint/optimizer.safetensors")),
            read_file(tiny.out("split/checkpoint/optimizer.safetensors")));
}

TEST_F(TrainerTest, OutputIsAModelDirectoryAndCheckpointsLeaveNoTemporaryFiles) {
  const TrainResult r = run_training(options("run"));  // checkpoints at 4, 8, ..., 20
  EXPECT_EQ(r.outcome, TrainOutcome::finished);
  EXPECT_EQ(listing(tiny.out("run")), (std::vector<std::string>{"checkpoint", "config.json", "log.jsonl", "loss.png",
                                                                "model.safetensors", "recipe.json", "text.model"}));
  EXPECT_EQ(listing(tiny.out("run/checkpoint")),
            (std::vector<std::string>{"config.json", "model.safetensors", "optimizer.safetensors", "text.model",
                                      "trainer.json"}));
  const model::LoadedModel loaded = model::load_model(tiny.out("run"));
  EXPECT_EQ(loaded.config.context_length, 16);
  EXPECT_EQ(loaded.config.vocabulary.text_size, 300);
  EXPECT_EQ(loaded.codecs.get<codecs::TextCodec>(codecs::Modality::text).vocab_size(), 300);
  const nlohmann::json state = nlohmann::json::parse(read_file(tiny.out("run/checkpoint/trainer.json")));
  EXPECT_EQ(state["step"], 20);
  EXPECT_EQ(state["data"]["sampling"], "random");
  EXPECT_TRUE(state["best_valid_loss"].is_number());
  EXPECT_EQ(state["config_fingerprint"], fingerprint(TrainConfig::load(tiny.recipe_path()).to_json()));
}

TEST_F(TrainerTest, ACrashMidSwapKeepsTheLastGoodCheckpoint) {
  TrainerOptions first = options("crash");
  first.stop_at = 8;
  run_training(first);
  // As if the process died after moving the old checkpoint aside and while writing a new one.
  fs::rename(tiny.out("crash/checkpoint"), tiny.out("crash/checkpoint.old"));
  fs::create_directories(tiny.out("crash/checkpoint.new"));
  write_file_atomically(tiny.out("crash/checkpoint.new/model.safetensors"), "half a file");
  TrainerOptions second = options("crash");
  second.resume = true;
  const TrainResult r = run_training(second);
  EXPECT_EQ(r.step, 20);
  const std::vector<std::string> names = listing(tiny.out("crash"));
  EXPECT_EQ(std::count(names.begin(), names.end(), "checkpoint.old"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "checkpoint.new"), 0);
  EXPECT_EQ(nlohmann::json::parse(read_file(tiny.out("crash/checkpoint/trainer.json")))["step"], 20);
}

TEST_F(TrainerTest, LogRecordsCarryEveryField) {
  nlohmann::json recipe = TinyTraining::recipe();
  recipe["log"] = {{"every", 2}};
  run_training(options("log", recipe));
  std::vector<int64_t> step_lines, eval_lines;
  for (const nlohmann::json& r : log_records(tiny.out("log"))) {
    if (r["type"] == "step") {
      for (const char* field : {"step", "loss", "lr", "grad_norm", "ms", "tokens_per_s", "mfu", "eta_s"}) {
        EXPECT_TRUE(r.contains(field) && r[field].is_number()) << field << " in " << r.dump();
      }
      EXPECT_GT(r["loss"].get<double>(), 0);
      EXPECT_GT(r["mfu"].get<double>(), 0);
      step_lines.push_back(r["step"]);
    } else {
      EXPECT_EQ(r["type"], "eval");
      EXPECT_TRUE(r["valid_loss"].is_number());
      eval_lines.push_back(r["step"]);
    }
  }
  EXPECT_EQ(step_lines, (std::vector<int64_t>{1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20}));
  EXPECT_EQ(eval_lines, (std::vector<int64_t>{5, 10, 15, 20}));
  EXPECT_TRUE(fs::exists(tiny.out("log/loss.png")));
}

TEST_F(TrainerTest, ResumeDropsLogRecordsPastTheCheckpoint) {
  TrainerOptions first = options("trim");
  first.stop_at = 6;  // checkpoints at 4 and 6
  run_training(first);
  // As if a crash came after step 7 was logged but before any later checkpoint.
  std::FILE* log = std::fopen(tiny.out("trim/log.jsonl").c_str(), "a");
  std::fputs("{\"type\":\"step\",\"step\":7,\"loss\":9.0}\n", log);
  std::fclose(log);
  TrainerOptions second = options("trim");
  second.resume = true;
  run_training(second);
  int64_t previous = 0;
  for (const nlohmann::json& r : log_records(tiny.out("trim"))) {
    if (r["type"] != "step") continue;
    EXPECT_GT(r["step"].get<int64_t>(), previous) << "each step once, in order";
    EXPECT_NE(r["loss"].get<double>(), 9.0);
    previous = r["step"];
  }
  EXPECT_EQ(previous, 20);
}

TEST_F(TrainerTest, ClearRefusals) {
  run_training(options("done"));
  expect_error([&] { run_training(options("done")); }, {"checkpoint", "already here", "--resume"});

  nlohmann::json wider = TinyTraining::recipe();
  wider["model"]["dim"] = 32;
  TrainerOptions resume_wider = options("done", wider);
  resume_wider.resume = true;
  expect_error([&] { run_training(resume_wider); },
               {"checkpoint/config.json", "different model", "architecture.dim is 16 in the checkpoint, 32 here"});

  TrainerOptions nothing = options("empty");
  nothing.resume = true;
  expect_error([&] { run_training(nothing); }, {"checkpoint", "no checkpoint to resume"});

  TrainerOptions bad_codec = options("codec");
  bad_codec.text_codec = tiny.out("missing.model");
  expect_error([&] { run_training(bad_codec); }, {"missing.model"});
}

}  // namespace
}  // namespace tessera::train
