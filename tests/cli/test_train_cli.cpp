// `tessera train` as a user runs it: the setup it prints and the folder it writes; a run
// stopped by Ctrl-C or killed with SIGKILL between checkpoints, continued with --resume,
// ends with the weights of a run never stopped; a diverging run stops with its message and
// keeps its last checkpoint; output folders are made, or refused before any work; bad
// recipes and overrides are named.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "io/atomic_file.h"
#include "support/run_tessera.h"
#include "support/tiny_recipes.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::TinyRun;

std::string train_arguments(const TinyRun& run, const std::string& out) {
  return "--threads 1 train --config " + run.recipe_path() + " --out " + run.out(out) + " --peak-gflops 10";
}

TEST(TrainCli, TinyRunWritesAModelDirectoryAndPrintsTheSetup) {
  TinyRun run("transformer");
  const CliRun r = run_tessera(train_arguments(run, "run") + " --set optimization.steps=6 --set log.every=3");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* part : {"parameters", "tokens per step: 64 (batch 4 x context 16", "FLOPs per token",
                           "optimization: 6 steps, batch 4 (2 micro-batches), AdamW lr 3.00e-03",
                           "GEMM peak: 10.0 GFLOP/s (given", "step 3/6 | loss ", " | lr ", " | grad norm ",
                           " tokens/s | MFU ", "% | ETA ", "eval step 6 | valid loss", "done: 6 steps"}) {
    EXPECT_TRUE(contains(r.output, part)) << part << " missing in:\n" << r.output;
  }
  for (const char* file : {"config.json", "model.safetensors", "text.model", "log.jsonl", "loss.png", "recipe.json"}) {
    EXPECT_TRUE(fs::exists(run.out("run/") + file)) << file;
  }
}

// A run of 60 steps that checkpoints every 25 (and logs every step), and the same run
// uninterrupted; the stopped one continues with the command it printed.
class TrainCliStops : public ::testing::Test {
 protected:
  std::string arguments(const std::string& out) const {
    return train_arguments(run, out) +
           " --set optimization.steps=60 --set checkpoint.every=25 --set eval.every=0 --set log.every=1";
  }
  void expect_same_weights_as_uninterrupted(const std::string& out) {
    const CliRun whole = run_tessera(arguments("whole"));
    ASSERT_EQ(whole.exit_code, 0) << whole.output;
    EXPECT_EQ(read_file(run.out(out + "/model.safetensors")), read_file(run.out("whole/model.safetensors")));
    EXPECT_EQ(read_file(run.out(out + "/checkpoint/optimizer.safetensors")),
              read_file(run.out("whole/checkpoint/optimizer.safetensors")));
  }
  TinyRun run{"transformer"};
};

TEST_F(TrainCliStops, CtrlCSavesACheckpointAndResumeEndsAsTheUninterruptedRun) {
  const CliRun interrupted = interrupt_after(arguments("run"), "step 30/60");
  EXPECT_EQ(interrupted.exit_code, 130) << interrupted.output;
  EXPECT_TRUE(contains(interrupted.output, "interrupted after step")) << interrupted.output;
  const std::string resume = "--threads 1 train --out " + run.out("run") + " --resume";
  EXPECT_TRUE(contains(interrupted.output, "resume with: tessera " + resume)) << interrupted.output;
  EXPECT_FALSE(fs::exists(run.out("run/model.safetensors"))) << "not finished: no final model yet";

  const CliRun resumed = run_tessera(resume);  // the recipe comes from OUT/recipe.json
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_TRUE(contains(resumed.output, "resuming at step")) << resumed.output;
  EXPECT_TRUE(contains(resumed.output, "done: 60 steps")) << resumed.output;
  expect_same_weights_as_uninterrupted("run");
}

TEST_F(TrainCliStops, SigkillBetweenCheckpointsThenResumeEndsAsTheUninterruptedRun) {
  const CliRun killed = signal_after(arguments("run"), "step 40/60", SIGKILL);
  EXPECT_EQ(killed.exit_code, -1) << killed.output;
  // The kill lands a step or two after step 40: the last checkpoint is step 25's (50's on a
  // machine so slow to deliver it that the run got that far).
  const int64_t saved = nlohmann::json::parse(read_file(run.out("run/checkpoint/trainer.json")))["step"];
  EXPECT_TRUE(saved == 25 || saved == 50) << saved;
  const CliRun resumed = run_tessera("--threads 1 train --out " + run.out("run") + " --resume");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_TRUE(contains(resumed.output, "resuming at step " + std::to_string(saved) + " of 60")) << resumed.output;
  expect_same_weights_as_uninterrupted("run");
}

// Every task's run stops at its first failing step with exit status 1, its message, and the
// checkpoint of the last good step left as it was. (A step of 1e30 makes the transformer's
// loss non-finite; in the audio codec the overflow reaches the quantizer first.)
TEST(TrainCli, ADivergingRunStopsWithItsMessageAndKeepsItsLastCheckpoint) {
  for (const std::string task : {"transformer", "image_codec", "audio_codec"}) {
    TinyRun run(task);
    // A step of 1e30: the first moves every weight far enough that the second overflows.
    const CliRun r = run_tessera(train_arguments(run, "run") +
                                 " --set optimization.lr=1e30 --set optimization.min_lr=0 --set optimization.warmup=0 "
                                 "--set checkpoint.every=1");
    EXPECT_EQ(r.exit_code, 1) << task << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "error: step 2: ")) << task << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "; the last good checkpoint (step 1) is intact in " + run.out("run/checkpoint")))
        << task << "\n"
        << r.output;
    EXPECT_EQ(nlohmann::json::parse(read_file(run.out("run/checkpoint/trainer.json")))["step"], 1) << task;
    EXPECT_FALSE(fs::exists(run.out("run/checkpoint.new"))) << task;
  }
}

TEST(TrainCli, OutputFoldersAreMadeOrRefusedBeforeAnyWork) {
  TinyRun run("audio_codec");
  const CliRun nested = run_tessera(train_arguments(run, "runs/a/b") + " --set optimization.steps=2");
  EXPECT_EQ(nested.exit_code, 0) << nested.output;
  EXPECT_TRUE(fs::exists(run.out("runs/a/b/audio.safetensors")));
  write_file_atomically(run.out("file"), "a file, not a folder");
  const CliRun refused = run_tessera(train_arguments(run, "file/run"));
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "error: --out " + run.out("file/run") + ": cannot create the folder"))
      << refused.output;
  EXPECT_FALSE(contains(refused.output, "log-mel")) << "refused before the clips were read:\n" << refused.output;
}

TEST(TrainCli, BadRecipesAndOverridesAreRefused) {
  TinyRun run("transformer");
  nlohmann::json recipe = run.recipe();
  recipe["optimization"]["lr"] = "fast";
  run.write_recipe(recipe);
  const CliRun bad_field = run_tessera(train_arguments(run, "run"));
  EXPECT_EQ(bad_field.exit_code, 1);
  EXPECT_TRUE(contains(bad_field.output,
                       run.recipe_path() + ": field 'optimization.lr': expected a number > 0, found \"fast\""))
      << bad_field.output;

  run.write_recipe(TinyRun("transformer").recipe());
  const CliRun bad_override = run_tessera(train_arguments(run, "run") + " --set optimization.warmup=100");
  EXPECT_EQ(bad_override.exit_code, 1);
  EXPECT_TRUE(contains(bad_override.output, "error: --set optimization.warmup=100: expected an integer in [0, 12]"))
      << bad_override.output;
  const CliRun malformed = run_tessera(train_arguments(run, "run") + " --set lr");
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_TRUE(contains(malformed.output, "--set lr: expected FIELD=VALUE")) << malformed.output;
  const CliRun no_recipe = run_tessera("train --out " + run.out("run"));
  EXPECT_EQ(no_recipe.exit_code, 1);
  EXPECT_TRUE(contains(no_recipe.output, "give the recipe with --config")) << no_recipe.output;
  EXPECT_FALSE(fs::exists(run.out("run/checkpoint")));
}

TEST(TrainCli, HelpExplainsEveryOption) {
  const CliRun r = run_tessera("train --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option :
       {"--config", "--out", "--set", "--resume", "--stop-at", "--peak-gflops", "optimization.lr=1e-3", "recipe.h"}) {
    EXPECT_TRUE(contains(r.output, option)) << option;
  }
}

}  // namespace
}  // namespace tessera
