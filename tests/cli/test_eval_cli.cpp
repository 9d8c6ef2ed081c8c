// `tessera eval` as a user runs it, on a tiny but complete setup: a mixed-modal model
// trained a few steps, image sets and a speech set with test splits, and both judges trained
// a few steps through `tessera train`. Every task must run and give finite numbers, the
// report must name every task, and what is missing (a judge, the model) must be said.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "io/atomic_file.h"
#include "support/run_tessera.h"
#include "support/synthetic_images.h"
#include "support/synthetic_speech.h"
#include "support/tiny_recipes.h"

namespace tessera {
namespace {

using nlohmann::json;
using testing::TinyRun;

// Lines "name" for each image of a split, cycling through `names`.
void write_class_captions(const std::string& dir, const std::string& split, int64_t count,
                          const std::vector<std::string>& names) {
  std::string lines;
  for (int64_t i = 0; i < count; ++i) lines += names[static_cast<size_t>(i) % names.size()] + "\n";
  write_file_atomically(dir + "/" + split + ".captions.txt", lines);
}

// Every number in `j` is finite; returns how many there are.
int64_t check_finite(const json& j, const std::string& path = "") {
  int64_t n = 0;
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) n += check_finite(value, path + "/" + key);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) n += check_finite(j[i], path + "/" + std::to_string(i));
  } else if (j.is_number()) {
    EXPECT_TRUE(std::isfinite(j.get<double>())) << path << " = " << j.dump();
    ++n;
  }
  return n;
}

class EvalCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setup_ = new TinyRun("mixed");
    TinyRun& r = *setup_;
    json recipe = r.recipe();
    recipe["model"]["context_length"] = 128;
    r.write_recipe(recipe);
    const CliRun model = run_tessera("--threads 2 train --config " + r.recipe_path() + " --out " + r.out("model") +
                                     " --set optimization.steps=3");
    ASSERT_EQ(model.exit_code, 0) << model.output;

    // The tiny image codec reads 16 x 16 grey; the sets are of other sizes, as real ones are.
    const std::vector<std::string> classes = {"boot", "coat", "shirt"};
    for (const auto& [split, n, seed] : {std::tuple{"train", 24, 1}, {"valid", 6, 2}, {"test", 12, 3}}) {
      testing::write_image_set(r.out("fashion"), split, testing::smooth_blobs(n, 28, 28, 1, seed));
      write_class_captions(r.out("fashion"), split, n, classes);
    }
    testing::write_image_set(r.out("emoji"), "test", testing::smooth_blobs(6, 20, 20, 3, 4));
    write_class_captions(r.out("emoji"), "test", 6, {"grinning face: happy", "red heart: love", "cat: pet"});
    testing::write_speech_set(r.out("speech"), {{"train", 6}, {"valid", 2}, {"test", 4}}, 5);

    const CliRun image_judge = run_tessera("--threads 2 train --config " + std::string(TESSERA_SOURCE_DIR) +
                                           "/recipes/judge-fashion.json --out " + r.out("image-judge") +
                                           " --set data.dir=" + r.out("fashion") +
                                           " --set optimization.steps=3 --set optimization.warmup=1 --set "
                                           "optimization.batch_size=4 --set model.widths=[4,8] --set model.features=8"
                                           " --set model.norm_groups=2");
    ASSERT_EQ(image_judge.exit_code, 0) << image_judge.output;
    const CliRun speech_judge =
        run_tessera("--threads 2 train --config " + std::string(TESSERA_SOURCE_DIR) +
                    "/recipes/judge-speech.json --out " + r.out("speech-judge") + " --set data.dir=" + r.out("speech") +
                    " --set optimization.steps=3 --set optimization.warmup=1 --set optimization.batch_size=2 --set "
                    "judge.channels=8 --set judge.blocks=1");
    ASSERT_EQ(speech_judge.exit_code, 0) << speech_judge.output;
  }
  static void TearDownTestSuite() {
    delete setup_;
    setup_ = nullptr;
  }

  // `tessera eval --quick` of the tiny model with every source given (the image judge:
  // `image_judge` when given).
  static CliRun eval(const std::string& out, std::string image_judge = "") {
    const TinyRun& r = *setup_;
    if (image_judge.empty()) image_judge = r.out("image-judge") + "/judge.safetensors";
    return run_tessera("--threads 2 eval " + r.out("model") + " --out " + out + " --quick --fashion " +
                       r.out("fashion") + " --emoji " + r.out("emoji") + " --speech " + r.out("speech") +
                       " --image-judge " + image_judge + " --speech-judge " + r.out("speech-judge") +
                       "/judge.safetensors");
  }

  static TinyRun* setup_;
};

TinyRun* EvalCli::setup_ = nullptr;

TEST_F(EvalCli, MeasuresEveryTaskAndWritesTheReport) {
  const std::string out = setup_->out("eval");
  const CliRun run = eval(out);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "report:  " + out + "/report.html")) << run.output;

  const json m = json::parse(read_file(out + "/metrics.json"));
  EXPECT_FALSE(m.contains("skipped")) << m["skipped"].dump();
  EXPECT_GT(check_finite(m), 60);
  // Perplexity from the held-out shard the model's recipe names.
  EXPECT_GT(m["perplexity"]["all"]["perplexity"].get<double>(), 1.0);
  EXPECT_TRUE(m["perplexity"]["modality"].contains("image"));
  for (const char* key : {"greedy_accuracy", "ranked_accuracy"}) {
    const double a = m["image_to_text"]["fashion"][key].get<double>();
    EXPECT_TRUE(a >= 0 && a <= 1) << key << " " << a;
  }
  EXPECT_EQ(m["image_to_text"]["fashion"]["images"].get<int64_t>(), 12);  // --quick asks for 40; the split has 12
  EXPECT_EQ(m["image_to_text"]["emoji"]["candidates"].get<int64_t>(), 3);
  EXPECT_LE(m["image_to_text"]["emoji"]["top1"].get<double>(), m["image_to_text"]["emoji"]["top5"].get<double>());
  EXPECT_EQ(m["image_to_text"]["emoji"]["top5"].get<double>(), 1.0);  // 3 candidates: always in the top 5
  // 3 classes x 4 drawings at the headline scale, a sweep of 0 and the headline scale.
  EXPECT_EQ(m["text_to_image"]["headline"]["images"].get<int64_t>(), 12);
  EXPECT_EQ(m["text_to_image"]["sweep"].size(), 2u);
  EXPECT_GE(m["text_to_image"]["headline"]["frechet"].get<double>(), 0.0);
  EXPECT_GT(m["text_to_image"]["codec_ceiling"]["images"].get<int64_t>(), 0);
  EXPECT_GE(m["speech_to_text"]["cer"].get<double>(), 0.0);
  EXPECT_EQ(m["text_to_speech"]["texts"].get<int64_t>(), 4);
  for (const char* key : {"judge_on_real", "judge_on_codec", "judge_on_generated"}) {
    EXPECT_EQ(m["text_to_speech"][key]["utterances"].get<int64_t>(), 4) << key;
  }
  for (const char* task : {"text", "image -> text", "text -> image", "text -> speech", "speech -> text"}) {
    ASSERT_TRUE(m["speed"].contains(task)) << task;
    for (const json& point : m["speed"][task]) EXPECT_GT(point["tokens_per_second"].get<double>(), 0) << task;
  }
  EXPECT_TRUE(m["speed"]["text -> image"][0].contains("images_per_second"));

  const std::string html = read_file(out + "/report.html");
  for (const char* section : {"Summary", "Model card", "Held-out perplexity", "Image -&gt; text", "Text -&gt; image",
                              "Speech -&gt; text", "Text -&gt; speech", "Speed"}) {
    EXPECT_TRUE(contains(html, section)) << section;
  }
  EXPECT_TRUE(contains(html, "data:image/png;base64,"));
  EXPECT_TRUE(contains(html, "data:audio/wav;base64,"));
  EXPECT_FALSE(contains(html, "src=\"http")) << "the report must not load anything from elsewhere";
  for (const char* picture : {"drawings-unguided.png", "drawings-guided.png", "guidance-accuracy.png"}) {
    EXPECT_TRUE(std::filesystem::exists(out + "/" + picture)) << picture;
  }
}

TEST_F(EvalCli, SaysWhatIsMissing) {
  const std::string out = setup_->out("eval-missing");
  const CliRun run = eval(out, setup_->out("nowhere.safetensors"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const json m = json::parse(read_file(out + "/metrics.json"));
  const std::string reason = m["skipped"]["text -> image"].get<std::string>();
  EXPECT_TRUE(contains(reason, "no image judge at '" + setup_->out("nowhere.safetensors") + "'")) << reason;
  EXPECT_TRUE(contains(reason, "recipes/judge-fashion.json")) << reason;
  EXPECT_TRUE(contains(read_file(out + "/report.html"), "Skipped: no image judge")) << run.output;
  EXPECT_TRUE(m.contains("speech_to_text"));  // the other tasks still ran

  const CliRun no_model = run_tessera("eval " + setup_->out("no-model") + " --out " + setup_->out("eval-none"));
  EXPECT_NE(no_model.exit_code, 0);
  EXPECT_TRUE(contains(no_model.output, setup_->out("no-model"))) << no_model.output;
  EXPECT_FALSE(std::filesystem::exists(setup_->out("eval-none") + "/metrics.json"));

  const CliRun no_out = run_tessera("eval " + setup_->out("model"));
  EXPECT_NE(no_out.exit_code, 0);
  EXPECT_TRUE(contains(no_out.output, "--out")) << no_out.output;
}

}  // namespace
}  // namespace tessera
