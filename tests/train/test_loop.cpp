// The one training loop, checked the same way on every task (the transformer, the image
// codec, the audio codec): k steps + resume + (N - k) steps equal N steps bit for bit, with
// and without a time budget; a budget spent resumes with a larger one; a non-finite loss or
// gradient stops the run and leaves the last checkpoint good; output folders are made or
// refused up front.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <sstream>

#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "io/atomic_file.h"
#include "support/expect_error.h"
#include "support/one_thread.h"
#include "support/tiny_recipes.h"
#include "train/checkpoint.h"
#include "train/loop.h"

namespace tessera::train {
namespace {

namespace fs = std::filesystem;
using testing::TinyRun;

// A task as another would see it, with two test seams: a clock that advances one second per
// micro-batch (so a time budget plans the same steps on every run), and a poisoned step.
class Observed : public Task {
 public:
  enum class Poison { none, loss, gradient };

  Observed(Task& inner, double& clock) : inner_(inner), clock_(clock) {}
  void poison_at(int64_t call, Poison what) {
    poison_call_ = call;
    poison_ = what;
  }

  nn::Module& module() override { return inner_.module(); }
  std::string describe() const override { return inner_.describe(); }
  const char* unit() const override { return inner_.unit(); }
  int64_t units_per_step() const override { return inner_.units_per_step(); }
  double flops_per_step() const override { return inner_.flops_per_step(); }
  Tensor next_loss() override {
    clock_ += 1;
    Tensor loss = inner_.next_loss();
    if (++calls_ != poison_call_) return loss;
    if (poison_ == Poison::loss) return loss * std::numeric_limits<float>::quiet_NaN();
    // The same loss, whose backward hands every parameter a NaN gradient.
    Tensor same = loss.clone();
    autograd::record("poison", {loss}, same, [](const Tensor&, const Tensor&) {});
    for (const Tensor& p : inner_.module().parameters()) {
      Tensor nan = Tensor::empty(p.shape());
      std::fill(nan.data<float>(), nan.data<float>() + nan.numel(), std::numeric_limits<float>::quiet_NaN());
      autograd::accumulate_grad(p, nan);
    }
    return same;
  }
  void shard(const Shard& shard) override { inner_.shard(shard); }
  Metrics window_metrics() override { return inner_.window_metrics(); }
  Metrics evaluate() override { return inner_.evaluate(); }
  void state_fields(Fields& f) override { inner_.state_fields(f); }
  void save(const std::string& dir) const override { inner_.save(dir); }
  void load(const std::string& dir) override { inner_.load(dir); }
  bool finish(std::FILE* out) override { return inner_.finish(out); }

 private:
  Task& inner_;
  double& clock_;
  int64_t calls_ = 0, poison_call_ = 0;
  Poison poison_ = Poison::none;
};

class LoopTest : public ::testing::TestWithParam<std::string> {
 protected:
  LoopTest() : run(GetParam()) {}
  void TearDown() override { std::fclose(quiet); }

  // Runs the recipe (with `sets`) into OUT `name`; `poison` as Observed::poison_at.
  LoopResult train(const std::string& name, const std::vector<std::string>& sets = {}, bool resume = false,
                   int64_t stop_at = 0, int64_t poison_call = 0, Observed::Poison poison = Observed::Poison::none) {
    const testing::OneThread one_thread;
    const Recipe recipe = run.read(sets);
    LoopOptions options;
    options.out_dir = run.out(name);
    options.resume = resume;
    options.stop_at = stop_at;
    options.peak_flops = 1e10;
    options.recipe = recipe.to_json(options.out_dir);
    options.out = quiet;
    double seconds = 0;
    options.clock = [&seconds] { return seconds; };
    const std::unique_ptr<Task> inner = recipe.config->make(recipe.loop, quiet);
    Observed task(*inner, seconds);
    task.poison_at(poison_call, poison);
    return run_loop(recipe.loop, task, options);
  }

  std::string file(const std::string& path) const { return read_file(run.out(path)); }

  // Every record of a run's log.jsonl.
  std::vector<nlohmann::json> log(const std::string& name) const {
    std::istringstream in(file(name + "/log.jsonl"));
    std::vector<nlohmann::json> records;
    for (std::string line; std::getline(in, line);) records.push_back(nlohmann::json::parse(line));
    return records;
  }

  // The two runs' trained weights, optimizer states and saved task states, byte for byte.
  void expect_same_run(const std::string& a, const std::string& b) {
    EXPECT_EQ(file(a + "/" + run.artifact()), file(b + "/" + run.artifact())) << "the final weights";
    EXPECT_EQ(file(a + "/checkpoint/optimizer.safetensors"), file(b + "/checkpoint/optimizer.safetensors"))
        << "the optimizer's moments and step counts";
    const nlohmann::json sa = nlohmann::json::parse(file(a + "/checkpoint/trainer.json"));
    const nlohmann::json sb = nlohmann::json::parse(file(b + "/checkpoint/trainer.json"));
    EXPECT_EQ(sa["step"], sb["step"]);
    EXPECT_EQ(sa["task"], sb["task"]) << "the data order and generators";
  }

  TinyRun run;
  std::FILE* quiet = std::fopen("/dev/null", "w");
};

TEST_P(LoopTest, StepsThenResumeEqualTheWholeRunBitForBit) {
  const LoopResult whole = train("whole");
  EXPECT_EQ(whole.outcome, Outcome::finished);
  EXPECT_EQ(whole.step, 12);
  const LoopResult first = train("split", {}, false, 6);  // past a checkpoint (4) and an evaluation (6)
  EXPECT_EQ(first.outcome, Outcome::stopped);
  EXPECT_EQ(first.step, 6);
  EXPECT_FALSE(fs::exists(run.out("split/" + run.artifact()))) << "a stopped run has no final output yet";
  const LoopResult resumed = train("split", {}, true);
  EXPECT_EQ(resumed.outcome, Outcome::finished);
  EXPECT_EQ(resumed.step, 12);
  expect_same_run("whole", "split");
  // Every logged step, with the same loss and gradient norm, and the evaluations.
  const auto a = log("whole"), b = log("split");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]["type"], b[i]["type"]) << i;
    EXPECT_EQ(a[i]["step"], b[i]["step"]) << i;
    for (const char* field : {"loss", "grad_norm", "lr", "valid_loss", "psnr", "mel_l1"}) {
      EXPECT_EQ(a[i].value(field, 0.0), b[i].value(field, 0.0)) << field << " at record " << i;
    }
  }
}

TEST_P(LoopTest, ABudgetedRunResumesItsSchedule) {
  // 10 s of budget at one fake second per step (one micro-batch each): the cosine is planned
  // to end at step 10 of the 1000 allowed.
  const std::vector<std::string> budget = {"optimization.steps=1000", "optimization.micro_batches=1",
                                           "optimization.minutes=0.1666666666666667"};
  const LoopResult whole = train("whole", budget);
  EXPECT_EQ(whole.outcome, Outcome::finished);
  EXPECT_EQ(whole.step, 10);
  EXPECT_EQ(whole.planned, 10);
  train("split", budget, false, 4);
  const LoopResult resumed = train("split", budget, true);
  EXPECT_EQ(resumed.step, 10) << "the resumed run counts the time spent before";
  expect_same_run("whole", "split");
  EXPECT_EQ(nlohmann::json::parse(file("split/checkpoint/trainer.json"))["elapsed_s"], 10);

  // A run that spent its budget continues with a larger one, the schedule re-planned to it.
  const LoopResult more =
      train("split", {"optimization.steps=1000", "optimization.micro_batches=1", "optimization.minutes=0.25"}, true);
  EXPECT_EQ(more.outcome, Outcome::finished);
  EXPECT_EQ(more.step, 15);
  double lr_at_11 = 0;
  for (const nlohmann::json& r : log("split")) {
    if (r["type"] == "step" && r["step"] == 11) lr_at_11 = r["lr"];
  }
  EXPECT_GT(lr_at_11, run.recipe()["optimization"].value("min_lr", 3e-4)) << "the decay stretched to step 15";
}

TEST_P(LoopTest, ANonFiniteLossStopsTheRunAndKeepsTheLastCheckpoint) {
  for (const Observed::Poison poison : {Observed::Poison::loss, Observed::Poison::gradient}) {
    const std::string name = poison == Observed::Poison::loss ? "loss" : "gradient";
    const int64_t micro = run.recipe()["optimization"].value("micro_batches", 1);
    // The first micro-batch of step 7: after the checkpoint of step 4 and the evaluation of 6.
    const std::string message =
        expect_error([&] { train(name, {}, false, 0, 6 * micro + 1, poison); },
                     {"step 7: ", poison == Observed::Poison::loss ? "the loss is nan" : "the gradient norm is nan",
                      "training diverged",
                      "the last good checkpoint (step 4) is intact in " + run.out(name + "/checkpoint"), "--resume"});
    EXPECT_EQ(nlohmann::json::parse(file(name + "/checkpoint/trainer.json"))["step"], 4) << message;
    EXPECT_FALSE(fs::exists(run.out(name + "/checkpoint.new")));
    // Intact: continued from, it finishes as the run that never diverged.
    train(name, {}, true);
    train("whole");
    expect_same_run("whole", name);
    fs::remove_all(run.out("whole"));
  }
}

TEST_P(LoopTest, MissingFoldersAreMadeAndAnUnwritableOneIsRefusedFirst) {
  const LoopResult r = train("a/b/c", {"optimization.steps=2", "optimization.warmup=0"});
  EXPECT_EQ(r.outcome, Outcome::finished);
  EXPECT_TRUE(fs::exists(run.out("a/b/c/" + run.artifact())));
  write_file_atomically(run.out("file"), "not a folder");
  expect_error([&] { train("file/run"); }, {"--out " + run.out("file/run"), "cannot create the folder"});
  expect_error([&] { train("a/b/c"); }, {"a checkpoint is already here", "--resume"});
  expect_error([&] { train("fresh", {}, true); }, {"no checkpoint to resume from"});
}

TEST_P(LoopTest, ACheckpointOfAnotherModelIsRefused) {
  train("run", {}, false, 4);
  const std::string task = GetParam();
  const std::string field = task == "transformer" || task == "mixed" ? "model.hidden=48" : "codec.encoder.res_blocks=2";
  expect_error([&] { train("run", {field}, true); },
               {"the checkpoint holds a different model", " in the checkpoint, "});
}

INSTANTIATE_TEST_SUITE_P(Tasks, LoopTest, ::testing::Values("transformer", "mixed", "image_codec", "audio_codec"));

}  // namespace
}  // namespace tessera::train
