// `tessera data build` as a library: a tiny build of every task (counts, sequence formats,
// span lengths, vocabulary ranges), condition dropout, held-out voices in valid, determinism,
// examples over the context, and the recipe and vocabulary errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "data/corpus_build.h"
#include "data/corpus_plan.h"
#include "data/packed_batches.h"
#include "data/speech_set.h"
#include "io/atomic_file.h"
#include "io/shard.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"
#include "support/tiny_corpus.h"

namespace tessera::data {
namespace {

using codecs::Modality;
using nlohmann::json;

// The examples of a shard: its ids split at each <bos>.
std::vector<std::vector<int32_t>> examples_of(const std::string& shard, const codecs::Vocabulary& v) {
  std::vector<std::vector<int32_t>> out;
  for (const int32_t id : read_shard(shard)) {
    if (id == v.control("<bos>")) out.emplace_back();
    EXPECT_FALSE(out.empty()) << shard << " does not begin with <bos>";
    if (!out.empty()) out.back().push_back(id);
  }
  return out;
}

std::string file_bytes(const std::string& path) { return read_file(path); }

class CorpusBuildTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    corpus_ = new testing::TinyCorpus(testing::write_tiny_corpus(dir_->path("sources")));
    null_ = std::fopen("/dev/null", "w");
    main_ = new CorpusReport(build(main_recipe(), dir_->path("main")));
  }
  static void TearDownTestSuite() {
    delete main_;
    delete corpus_;
    delete dir_;
    std::fclose(null_);
  }

  static json main_recipe() {
    return corpus_->recipe({{"caption", 40},
                            {"draw", 40},
                            {"transcribe", 20},
                            {"speak", 20},
                            {"draw_said", 30},
                            {"say_image", 20},
                            {"interleaved", 10},
                            {"plain_text", 20}},
                           {{"caption", 5},
                            {"draw", 5},
                            {"transcribe", 4},
                            {"speak", 4},
                            {"draw_said", 6},
                            {"say_image", 6},
                            {"interleaved", 3},
                            {"plain_text", 4}});
  }

  // Writes `recipe` beside the sources and reads it back as the command would.
  static CorpusRecipe recipe_file(const json& recipe, const std::string& name = "recipe.json") {
    const std::string path = dir_->path(name);
    write_file_atomically(path, recipe.dump(2));
    return read_corpus_recipe(path);
  }
  static CorpusReport build(const json& recipe, const std::string& out, bool force = false) {
    return build_corpus(recipe_file(recipe), out, {.force = force, .out = null_});
  }

  static TempDir* dir_;
  static testing::TinyCorpus* corpus_;
  static std::FILE* null_;
  static CorpusReport* main_;
};

TempDir* CorpusBuildTest::dir_ = nullptr;
testing::TinyCorpus* CorpusBuildTest::corpus_ = nullptr;
std::FILE* CorpusBuildTest::null_ = nullptr;
CorpusReport* CorpusBuildTest::main_ = nullptr;

TEST_F(CorpusBuildTest, EveryTaskHasItsCountAndClassifiesAsItsTask) {
  const json recipe = main_recipe();
  const codecs::Vocabulary& v = main_->vocabulary;
  for (const char* split : {"train", "valid"}) {
    const SplitReport& report = std::string(split) == "train" ? main_->train : main_->valid;
    const json& asked = recipe.at(std::string(split) == "train" ? "mixture" : "valid");
    std::map<ExampleTask, int64_t> found;
    for (const auto& e : examples_of(dir_->path(str("main/", split, ".shard")), v)) ++found[classify_example(e, v)];
    for (const ExampleTask task : example_tasks()) {
      const TaskCounts& t = report.tasks[static_cast<size_t>(task)];
      EXPECT_EQ(t.examples, asked.at(example_task_name(task)).get<int64_t>())
          << split << " " << example_task_name(task);
      EXPECT_EQ(t.skipped, 0);
    }
    // An unconditional draw_said is "<bos> <draw> <image> ...", which reads as a draw.
    const int64_t said_dropped = report.tasks[static_cast<size_t>(ExampleTask::draw_said)].unconditional;
    for (const ExampleTask task : example_tasks()) {
      int64_t expected = report.tasks[static_cast<size_t>(task)].examples;
      if (task == ExampleTask::draw) expected += said_dropped;
      if (task == ExampleTask::draw_said) expected -= said_dropped;
      EXPECT_EQ(found[task], expected) << split << " " << example_task_name(task);
    }
  }
  // The trainer's reader takes the shards as they are (every id in the vocabulary, each
  // example within context + 1) and finds the same mixture.
  const PackedBatches packed({dir_->path("main/train.shard")}, v, 2, 256, /*shuffle=*/false, 1);
  EXPECT_EQ(packed.num_examples(), main_->train.examples);
  EXPECT_EQ(packed.task_counts()[static_cast<size_t>(ExampleTask::caption)], 40);
  const json corpus = read_json_file(dir_->path("main/corpus.json"));
  EXPECT_EQ(corpus.at("vocabulary"), write_config(v));
  EXPECT_EQ(corpus.at("splits").at("train").at("tasks").at("caption").at("examples"), 40);
  EXPECT_EQ(corpus.at("codecs").at("audio").at("kind"), codecs::AudioCodec::kKind);
  EXPECT_EQ(corpus.at("images").at("fashion").at("conversion"), "28 x 28 x 1 -> 16 x 16 x 1 (resized)");
  EXPECT_EQ(corpus.at("images").at("emoji").at("conversion"), "16 x 16 x 3 -> 16 x 16 x 1 (RGB to grey)");
}

TEST_F(CorpusBuildTest, SpansHoldWholeImagesAndWholeAudioFrames) {
  const codecs::Vocabulary& v = main_->vocabulary;
  const auto image_codec = codecs::ImageCodec::load(corpus_->image_codec);
  const auto audio_codec = codecs::AudioCodec::load(corpus_->audio_codec);
  const int64_t stages = audio_codec->config().stages, codebook = audio_codec->config().codebook_size();
  int64_t images = 0, clips = 0;
  for (const char* split : {"train", "valid"}) {
    for (const auto& e : examples_of(dir_->path(str("main/", split, ".shard")), v)) {
      ASSERT_LE(static_cast<int64_t>(e.size()), 257);
      for (size_t i = 0; i < e.size(); ++i) {
        ASSERT_GE(e[i], 0);
        ASSERT_LT(e[i], v.total());
        const bool image = e[i] == v.control("<image>"), audio = e[i] == v.control("<audio>");
        if (!image && !audio) continue;
        const int32_t close = v.control(image ? "</image>" : "</audio>");
        size_t end = i + 1;
        while (end < e.size() && e[end] != close) {
          const auto [m, local] = v.to_local(e[end]);
          ASSERT_EQ(m, image ? Modality::image : Modality::audio) << v.describe(e[end]);
          if (audio) {
            ASSERT_EQ(local / codebook, static_cast<int64_t>(end - i - 1) % stages) << "stage order";
          }
          ++end;
        }
        ASSERT_LT(end, e.size()) << "an unclosed span";
        const auto length = static_cast<int64_t>(end - i - 1);
        if (image) {
          EXPECT_EQ(length, image_codec->codes_per_image());
          ++images;
        } else {
          EXPECT_GT(length, 0);
          EXPECT_EQ(length % stages, 0) << "a clip of part of a code frame";
          ++clips;
        }
        i = end;
      }
    }
  }
  EXPECT_GT(images, 100);
  EXPECT_GT(clips, 50);
}

TEST_F(CorpusBuildTest, ValidSpeechIsOnlyInHeldOutVoicesAndGrownClipsAreCached) {
  const CorpusRecipe recipe = recipe_file(main_recipe());
  const SpeechSet speech = SpeechSet::load(corpus_->speech, "valid");
  const auto& held_out = speech.held_out_voices();
  const SplitSources valid = load_split_sources(recipe, "valid", recipe.valid, dir_->path("main/grown"), null_);
  ASSERT_EQ(valid.clips.size(), 4u + 6u);  // the set's four, and six captions grown
  for (const SpeechClip& clip : valid.clips) {
    EXPECT_NE(std::find(held_out.begin(), held_out.end(), clip.voice), held_out.end()) << clip.voice;
  }
  EXPECT_EQ(valid.grown_spoken, 0) << "the main build already spoke them";
  const SplitSources train = load_split_sources(recipe, "train", recipe.train, dir_->path("main/grown"), null_);
  ASSERT_EQ(train.clips.size(), 8u + 3u);  // "coat", faces 2 and 3
  for (const SpeechClip& clip : train.clips) {
    EXPECT_EQ(std::find(held_out.begin(), held_out.end(), clip.voice), held_out.end()) << clip.voice;
  }
  EXPECT_EQ(main_->train.grown_clips, 3);
  EXPECT_EQ(main_->valid.grown_clips, 6);
  // Every fashion class has speech in both splits now.
  for (const SplitSources* s : {&train, &valid}) EXPECT_EQ(s->spoken[0].size(), 4u) << s->split;
}

TEST_F(CorpusBuildTest, ARebuildWritesTheSameBytes) {
  const std::string out = dir_->path("again");
  const CorpusReport first = build(main_recipe(), out);
  std::map<std::string, std::string> bytes;
  for (const char* file : {"train.shard", "valid.shard", "corpus.json"}) bytes[file] = file_bytes(out + "/" + file);
  const CorpusReport second = build(main_recipe(), out);
  EXPECT_EQ(second.train.grown_spoken + second.valid.grown_spoken, 0);
  for (const auto& [file, before] : bytes) EXPECT_EQ(file_bytes(out + "/" + file), before) << file;
  EXPECT_EQ(bytes["train.shard"], file_bytes(dir_->path("main/train.shard")));
}

TEST_F(CorpusBuildTest, AddingATaskLeavesTheOtherTasksDrawsAlone) {
  auto examples_by_task = [&](const json& mixture, const std::string& name) {
    const CorpusReport report = build(corpus_->recipe(mixture, {{"caption", 1}}), dir_->path(name));
    std::map<ExampleTask, std::multiset<std::vector<int32_t>>> out;
    for (auto& e : examples_of(dir_->path(name + "/train.shard"), report.vocabulary)) {
      out[classify_example(e, report.vocabulary)].insert(e);
    }
    return out;
  };
  // The second build loads the image sets too, which must not change what the others draw.
  auto before = examples_by_task({{"plain_text", 10}, {"transcribe", 5}}, "fewer");
  auto after = examples_by_task({{"plain_text", 10}, {"transcribe", 5}, {"caption", 10}, {"draw", 5}}, "more");
  EXPECT_EQ(before[ExampleTask::text], after[ExampleTask::text]);
  EXPECT_EQ(before[ExampleTask::transcribe], after[ExampleTask::transcribe]);
  EXPECT_EQ(after[ExampleTask::caption].size(), 10u);
}

TEST_F(CorpusBuildTest, ConditionDropoutDropsAboutItsShare) {
  json recipe = corpus_->recipe({{"draw", 400}, {"speak", 200}, {"draw_said", 200}}, {{"draw", 1}});
  recipe["condition_dropout"] = 0.25;
  const std::string out = dir_->path("dropout");
  const CorpusReport report = build(recipe, out);
  const codecs::Vocabulary& v = report.vocabulary;
  int64_t draw = 0, unconditional_draw = 0, speak = 0, unconditional_speak = 0;
  for (const auto& e : examples_of(out + "/train.shard", v)) {
    const ExampleTask task = classify_example(e, v);
    if (task == ExampleTask::draw || task == ExampleTask::draw_said) {
      ++draw;
      unconditional_draw += e[2] == v.control("<image>") ? 1 : 0;  // nothing between <draw> and the image
    } else if (task == ExampleTask::speak) {
      ++speak;
      unconditional_speak += e[2] == v.control("<audio>") ? 1 : 0;
    }
  }
  EXPECT_EQ(draw, 600);
  EXPECT_EQ(speak, 200);
  EXPECT_NEAR(static_cast<double>(unconditional_draw) / 600, 0.25, 0.06);
  EXPECT_NEAR(static_cast<double>(unconditional_speak) / 200, 0.25, 0.08);
  int64_t counted = 0;
  for (const ExampleTask t : {ExampleTask::draw, ExampleTask::draw_said}) {
    counted += report.train.tasks[static_cast<size_t>(t)].unconditional;
  }
  EXPECT_EQ(counted, unconditional_draw);
}

TEST_F(CorpusBuildTest, ExamplesOverTheContextAreSkippedAndCounted) {
  // say_image draws grown espeak-ng clips too, longer than any example here: those are
  // skipped before they are encoded.
  json recipe = corpus_->recipe({{"caption", 30}, {"transcribe", 30}, {"plain_text", 30}, {"say_image", 30}}, 0.1);
  recipe["context_length"] = 48;  // short enough for some of each task, not for all
  const std::string out = dir_->path("short");
  const CorpusReport report = build(recipe, out);
  int64_t skipped = 0;
  for (const ExampleTask task :
       {ExampleTask::caption, ExampleTask::transcribe, ExampleTask::text, ExampleTask::say_image}) {
    const TaskCounts& t = report.train.tasks[static_cast<size_t>(task)];
    EXPECT_EQ(t.examples + t.skipped, 30) << example_task_name(task);
    skipped += t.skipped;
  }
  EXPECT_GT(skipped, 0);
  EXPECT_LT(skipped, 120);
  EXPECT_GT(report.train.tasks[static_cast<size_t>(ExampleTask::say_image)].skipped, 0);
  for (const auto& e : examples_of(out + "/train.shard", report.vocabulary)) EXPECT_LE(e.size(), 49u);
  const json corpus = read_json_file(out + "/corpus.json");
  EXPECT_EQ(corpus.at("splits").at("train").at("tasks").at("transcribe").at("skipped"),
            report.train.tasks[static_cast<size_t>(ExampleTask::transcribe)].skipped);
}

TEST_F(CorpusBuildTest, ARecipeWithoutAnAudioCodecBuildsNoSpeech) {
  json recipe = corpus_->recipe({{"caption", 5}, {"plain_text", 5}}, {{"caption", 1}});
  recipe["codecs"].erase("audio");
  const CorpusReport report = build(recipe, dir_->path("no-audio"));
  EXPECT_EQ(report.vocabulary.audio_size, 0);
  EXPECT_EQ(report.train.examples, 10);
}

TEST_F(CorpusBuildTest, RecipeErrorsNameTheFileAndTheField) {
  const std::string path = dir_->path("recipe.json");
  json typo = corpus_->recipe({{"captoin", 5}}, 0.1);
  expect_error([&] { recipe_file(typo); }, {path, "mixture.captoin", "unknown field"});

  json no_speech = corpus_->recipe({{"transcribe", 5}}, 0.1);
  no_speech["sources"].erase("speech");
  expect_error([&] { recipe_file(no_speech); }, {path, "mixture.transcribe", "sources.speech"});

  json no_image_codec = corpus_->recipe({{"plain_text", 5}}, {{"draw", 2}});
  no_image_codec["codecs"].erase("image");
  expect_error([&] { recipe_file(no_image_codec); }, {path, "valid.draw", "codecs.image"});

  json missing_dir = corpus_->recipe({{"caption", 5}}, 0.1);
  missing_dir["sources"]["emoji"] = dir_->path("no-such-set");
  expect_error([&] { build(missing_dir, dir_->path("missing")); }, {"no-such-set"});

  json bad_fraction = corpus_->recipe({{"caption", 5}}, 1.5);
  expect_error([&] { recipe_file(bad_fraction); }, {path, "'valid'", "1.5"});
}

TEST_F(CorpusBuildTest, ACodecOfAnotherModalityIsRefused) {
  json recipe = corpus_->recipe({{"caption", 5}}, 0.1);
  recipe["codecs"]["image"] = corpus_->audio_codec;
  expect_error([&] { build(recipe, dir_->path("wrong")); },
               {"codecs.image", corpus_->audio_codec, codecs::AudioCodec::kKind, codecs::ImageCodec::kKind});
  recipe["codecs"]["image"] = corpus_->text_codec;
  expect_error([&] { build(recipe, dir_->path("wrong")); }, {"codecs.image", "\"sentencepiece\" codec (text)"});
  recipe["codecs"]["image"] = corpus_->image_codec;
  recipe["codecs"]["text"] = corpus_->image_codec;
  expect_error([&] { build(recipe, dir_->path("wrong")); }, {"codecs.text", codecs::ImageCodec::kKind});
}

TEST_F(CorpusBuildTest, AnotherVocabularyIsRefusedUnlessForced) {
  const std::string out = dir_->path("layout");
  json text_and_images = corpus_->recipe({{"caption", 4}}, {{"caption", 1}});
  text_and_images["codecs"].erase("audio");
  build(text_and_images, out);
  const json every_codec = corpus_->recipe({{"caption", 4}}, {{"caption", 1}});
  expect_error([&] { build(every_codec, out); },
               {out + "/corpus.json", "text 300 | control 11 | image 125 (436 ids)",
                "text 300 | control 11 | image 125 | audio 250 (686 ids)", "--force"});
  EXPECT_EQ(build(every_codec, out, /*force=*/true).vocabulary.audio_size, 250);

  json pinned = every_codec;
  pinned["vocabulary"] = write_config(main_->vocabulary);
  pinned["vocabulary"]["image"] = 1000;
  expect_error([&] { build(pinned, out); }, {"field 'vocabulary'", "image 1000", "image 125"});
}

}  // namespace
}  // namespace tessera::data
