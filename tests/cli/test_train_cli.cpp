// `tessera train` as a user runs it: a tiny run, Ctrl-C mid-run (exit 130 with a checkpoint
// and the command that resumes), --resume finishing the run, and a bad shard refused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "io/atomic_file.h"
#include "support/run_tessera.h"
#include "support/tiny_training.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

std::string train_arguments(const TinyTraining& tiny, const std::string& out) {
  return "--threads 1 train --config " + tiny.recipe_path() + " --text-codec " + tiny.codec_path() + " --out " +
         tiny.out(out) + " --peak-gflops 10";
}

TEST(TrainCli, TinyRunWritesAModelDirectoryAndPrintsTheSetup) {
  TinyTraining tiny;
  const CliRun r = run_tessera(train_arguments(tiny, "run") + " --steps 6 --log-every 3");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* part : {"parameters", "tokens per step: 64 (batch 4 x context 16", "FLOPs per token",
                           "GEMM peak: 10.0 GFLOP/s (given", "step 3/6 | loss ", " | lr ", " | grad norm ",
                           " tok/s | MFU ", "% | ETA ", "eval step 5 | valid loss", "done: 6 steps"}) {
    EXPECT_TRUE(contains(r.output, part)) << part << " missing in:\n" << r.output;
  }
  for (const char* file : {"config.json", "model.safetensors", "text.model", "log.jsonl", "loss.png"}) {
    EXPECT_TRUE(fs::exists(tiny.out("run/") + file)) << file;
  }
}

TEST(TrainCli, CtrlCSavesACheckpointAndResumeFinishes) {
  TinyTraining tiny;
  const std::string arguments = train_arguments(tiny, "run") + " --steps 300 --checkpoint-every 0 --eval-every 0";
  const CliRun interrupted = interrupt_after(arguments, "step 1/300");
  EXPECT_EQ(interrupted.exit_code, 130) << interrupted.output;
  EXPECT_TRUE(contains(interrupted.output, "interrupted after step")) << interrupted.output;
  EXPECT_TRUE(contains(interrupted.output, "resume with: tessera --threads 1 train --config")) << interrupted.output;
  EXPECT_TRUE(contains(interrupted.output, "--steps 300")) << interrupted.output;
  EXPECT_TRUE(contains(interrupted.output, "--resume")) << interrupted.output;
  EXPECT_TRUE(fs::exists(tiny.out("run/checkpoint/trainer.json")));
  EXPECT_FALSE(fs::exists(tiny.out("run/model.safetensors")));  // not finished: no final model yet

  const CliRun resumed = run_tessera(arguments + " --resume");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_TRUE(contains(resumed.output, "resuming at step")) << resumed.output;
  EXPECT_TRUE(contains(resumed.output, "done: 300 steps")) << resumed.output;
  EXPECT_TRUE(fs::exists(tiny.out("run/model.safetensors")));
}

TEST(TrainCli, ABadShardIsRefusedWithItsMessage) {
  TinyTraining tiny;
  write_file_atomically(tiny.out("train.shard"), "TSRSHARD-but-not-really");
  const CliRun r = run_tessera(train_arguments(tiny, "run"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.output, "error: ")) << r.output;
  EXPECT_TRUE(contains(r.output, "train.shard: not a shard file")) << r.output;
}

TEST(TrainCli, BadRecipesAndOverridesAreRefused) {
  TinyTraining tiny;
  nlohmann::json recipe = TinyTraining::recipe();
  recipe["optimization"]["lr"] = "fast";
  tiny.write_recipe(recipe);
  const CliRun bad_field = run_tessera(train_arguments(tiny, "run"));
  EXPECT_EQ(bad_field.exit_code, 1);
  EXPECT_TRUE(contains(bad_field.output, "recipe.json: field 'optimization.lr': expected a number, found \"fast\""))
      << bad_field.output;

  tiny.write_recipe(TinyTraining::recipe());
  const CliRun bad_override = run_tessera(train_arguments(tiny, "run") + " --steps 1");  // warmup is 2
  EXPECT_EQ(bad_override.exit_code, 1);
  EXPECT_TRUE(contains(bad_override.output, "(with command-line overrides): field 'optimization.warmup'"))
      << bad_override.output;
}

TEST(TrainCli, HelpExplainsEveryOption) {
  const CliRun r = run_tessera("train --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--config", "--text-codec", "--out", "--resume", "--steps", "--batch-size",
                             "--micro-batches", "--lr", "--min-lr", "--warmup", "--seed", "--eval-every",
                             "--checkpoint-every", "--log-every", "--stop-at", "--peak-gflops"}) {
    EXPECT_TRUE(contains(r.output, option)) << option;
  }
}

}  // namespace
}  // namespace tessera
