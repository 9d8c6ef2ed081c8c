// The image judge as a task of the loop: it learns a synthetic set's classes, and its
// evaluation, its log and the judge it writes agree; a run stopped and resumed trains the same
// judge; data-parallel ranks split each batch; sets it cannot label are refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "data/image_set.h"
#include "io/atomic_file.h"
#include "support/expect_error.h"
#include "support/one_thread.h"
#include "support/synthetic_images.h"
#include "support/tiny_recipes.h"
#include "train/image_judge_task.h"

namespace tessera::train {
namespace {

using nlohmann::json;

const std::vector<std::string> kClasses = {"left", "middle", "right"};

// `count` 16 x 16 grey images of noise, each with a bright blob in the third of the image
// its class names (image i is of class i % 3), at a random height; captioned by `names`.
void write_shapes(const std::string& dir, const std::string& split, int64_t count, uint64_t seed, int64_t size = 16,
                  const std::vector<std::string>& names = kClasses) {
  testing::SyntheticImages s{std::vector<uint8_t>(static_cast<size_t>(count * size * size)), count, size, size, 1};
  Rng rng(seed);
  std::string captions;
  for (int64_t i = 0; i < count; ++i) {
    const float cx = (static_cast<float>(i % 3) + 0.5f) * static_cast<float>(size) / 3;
    const float cy = (0.25f + 0.5f * rng.uniform()) * static_cast<float>(size);
    for (int64_t y = 0; y < size; ++y)
      for (int64_t x = 0; x < size; ++x) {
        const float d2 = (static_cast<float>(x) - cx) * (static_cast<float>(x) - cx) +
                         (static_cast<float>(y) - cy) * (static_cast<float>(y) - cy);
        const float v = 60 * rng.uniform() + 190 * std::exp(-d2 / 8);
        s.pixels[static_cast<size_t>((i * size + y) * size + x)] = static_cast<uint8_t>(std::min(v, 255.0f));
      }
    captions += names[static_cast<size_t>(i % 3)] + "\n";
  }
  testing::write_image_set(dir, split, s);
  write_file_atomically(dir + "/" + split + ".captions.txt", captions);  // classes, not "blob <i>"
}

class ImageJudgeTaskTest : public ::testing::Test {
 protected:
  // TinyRun gives the temporary folder and trains through the loop like every task's tests;
  // its image codec recipe is replaced by the judge's, over a set of its own.
  ImageJudgeTaskTest() {
    write_shapes(run.out("shapes"), "train", 96, 1);
    write_shapes(run.out("shapes"), "valid", 30, 2);
    write_shapes(run.out("shapes"), "test", 24, 3);
    run.write_recipe({{"task", "image_judge"},
                      {"model", {{"widths", {8, 16}}, {"features", 8}, {"norm_groups", 4}}},
                      {"data", {{"dir", "shapes"}, {"test", "test"}}},
                      {"optimization", {{"steps", 12}, {"batch_size", 8}, {"lr", 3e-3}, {"warmup", 2}}},
                      {"eval", {{"every", 6}}},
                      {"checkpoint", {{"every", 4}}},
                      {"log", {{"every", 1}}}});
  }
  std::string judge_bytes(const std::string& name) const { return read_file(run.out(name + "/" + kImageJudgeFile)); }

  testing::TinyRun run{"image_codec"};
};

// Measured: 100% on the valid split after 60 steps; the floor is far above chance (33%).
TEST_F(ImageJudgeTaskTest, LearnsTheClassesAndEvaluationLogAndJudgeAgree) {
  std::string log;
  const LoopResult r =
      run.train("learn", {"optimization.steps=60", "optimization.batch_size=16", "log.every=20", "eval.every=0"}, &log);
  EXPECT_NE(log.find("image judge: "), std::string::npos) << log;
  EXPECT_NE(log.find("16 x 16 x 1 images -> 8 features -> 3 classes; 96 training images (train), 30 (valid), "
                     "24 (test) held out"),
            std::string::npos)
      << log;
  EXPECT_TRUE(std::regex_search(log, std::regex(R"(step 60/60 \| loss [0-9.]+ \| accuracy [0-9.]+% \| lr )"))) << log;
  EXPECT_TRUE(std::regex_search(log, std::regex(R"(eval step 60 \| valid loss [0-9.]+ \| accuracy [0-9.]+% \| )"
                                                R"(test loss [0-9.]+ \| test accuracy [0-9.]+%)")))
      << log;
  ASSERT_EQ(r.eval.size(), 4u);
  EXPECT_EQ(r.eval[0].name, "valid_loss");
  EXPECT_EQ(r.eval[1].name, "accuracy");
  EXPECT_EQ(r.eval[3].name, "test_accuracy");
  EXPECT_GT(r.eval[1].value, 80.0) << log;
  EXPECT_LT(r.eval[0].value, r.first_loss) << log;

  // The written judge labels the valid images as the evaluation counted them.
  const eval::ImageJudge judge = eval::ImageJudge::load(run.out("learn/" + std::string(kImageJudgeFile)));
  EXPECT_EQ(judge.classes(), kClasses) << "the training captions, sorted";
  const data::ImageSet valid = data::ImageSet::load(data::image_set_path(run.out("shapes"), "valid"));
  std::vector<Image> images;
  for (int64_t i = 0; i < valid.size(); ++i) images.push_back(valid.image(i));
  const std::vector<int64_t> labels = judge.classify(images);
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += labels[i] == static_cast<int64_t>(i % 3);
  EXPECT_NEAR(r.eval[1].value, 100.0 * static_cast<double>(correct) / 30, 1e-9);
}

TEST_F(ImageJudgeTaskTest, StoppedAndResumedTrainsTheSameJudge) {
  EXPECT_EQ(run.train("whole").step, 12);
  LoopOptions stop;
  stop.stop_at = 6;
  EXPECT_EQ(run.train("split", {}, nullptr, stop).outcome, Outcome::stopped);
  LoopOptions resume;
  resume.resume = true;
  EXPECT_EQ(run.train("split", {}, nullptr, resume).step, 12);
  EXPECT_EQ(judge_bytes("split"), judge_bytes("whole"));
  const auto state = [&](const std::string& name) {
    return json::parse(read_file(run.out(name + "/checkpoint/trainer.json")))["task"];
  };
  EXPECT_EQ(state("split"), state("whole")) << "the data order";
  expect_error([&] { run.train("whole", {"model.features=4"}, nullptr, resume); },
               {"judge.safetensors", "the checkpoint holds a different model"});
}

// Two ranks' losses on their halves of a batch average to one process's loss on all of it.
TEST_F(ImageJudgeTaskTest, RanksTakeTheirHalvesOfEachBatch) {
  const testing::OneThread one_thread;
  const Recipe recipe = run.read();
  std::FILE* quiet = std::tmpfile();
  const auto task = [&](int rank, int ranks) {
    std::unique_ptr<Task> t = recipe.config->make(recipe.loop, quiet);
    t->shard({rank, ranks});
    return t;
  };
  const auto whole = task(0, 1), first = task(0, 2), second = task(1, 2);
  for (int micro_batch = 0; micro_batch < 2; ++micro_batch) {
    const float all = whole->next_loss().item(), a = first->next_loss().item(), b = second->next_loss().item();
    EXPECT_NEAR((a + b) / 2, all, 1e-5) << "micro-batch " << micro_batch;
    EXPECT_NE(a, b);
  }
  std::fclose(quiet);
}

TEST_F(ImageJudgeTaskTest, RefusesSetsItCannotLabel) {
  write_shapes(run.out("other"), "train", 12, 4);
  write_shapes(run.out("other"), "valid", 6, 5, 16, {"left", "middle", "top"});
  expect_error([&] { run.train("a", {"data.dir=" + run.out("other")}); },
               {"valid.json", "image 2 is captioned \"top\"", "none of the 3 classes of the training split"});
  write_shapes(run.out("other"), "valid", 6, 5, 12);
  expect_error([&] { run.train("b", {"data.dir=" + run.out("other")}); },
               {"valid.json", "images are 12 x 12 x 1", "the training split's 16 x 16 x 1"});
  write_shapes(run.out("one"), "train", 6, 6, 16, {"only", "only", "only"});
  expect_error([&] { run.train("c", {"data.dir=" + run.out("one")}); }, {"train.json", "1 class", "at least 2"});
  expect_error([&] { run.train("d", {"data.test=tset"}); }, {"tset.json"});
}

}  // namespace
}  // namespace tessera::train
