// `tessera data build` as a user runs it: a tiny build end to end, its report and files, a
// --set override, a bad recipe, a changed vocabulary, --help.
#include <gtest/gtest.h>

#include <filesystem>

#include "io/atomic_file.h"
#include "io/fields.h"
#include "support/run_tessera.h"
#include "support/temp_dir.h"
#include "support/tiny_corpus.h"

namespace tessera {
namespace {

class DataBuildCli : public ::testing::Test {
 protected:
  void SetUp() override {
    corpus = testing::write_tiny_corpus(dir.path("sources"));
    write_recipe(corpus.recipe({{"caption", 12},
                                {"draw", 12},
                                {"transcribe", 6},
                                {"speak", 6},
                                {"draw_said", 6},
                                {"say_image", 6},
                                {"interleaved", 4},
                                {"plain_text", 8}},
                               0.25));
  }
  void write_recipe(const nlohmann::json& recipe) { write_file_atomically(recipe_path(), recipe.dump(2)); }
  std::string recipe_path() const { return dir.path("recipe.json"); }

  TempDir dir;
  testing::TinyCorpus corpus;
};

TEST_F(DataBuildCli, BuildsTheShardsAndReportsWhatItWrote) {
  const std::string out = dir.path("out");
  const CliRun r = run_tessera("--threads 2 data build " + recipe_path() + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line : {"vocabulary: text 300 | control 11 | image 125 | audio 250 (686 ids)",
                           "fashion images: 28 x 28 x 1 -> 16 x 16 x 1 (resized): 16 codes per image",
                           "emoji images: 16 x 16 x 3 -> 16 x 16 x 1 (RGB to grey): 16 codes per image",
                           "train  caption             12", "valid  caption              3",
                           "(3 clips grown for the split, 3 spoken now)", "train.shard, valid.shard, corpus.json"}) {
    EXPECT_TRUE(contains(r.output, line)) << "missing \"" << line << "\" in:\n" << r.output;
  }
  for (const char* file : {"train.shard", "valid.shard", "corpus.json"}) {
    EXPECT_TRUE(std::filesystem::exists(out + "/" + file)) << file;
  }

  // A field set on the command line is read like the file's.
  const CliRun fewer = run_tessera("data build " + recipe_path() + " --out " + out + " --set mixture.caption=5");
  ASSERT_EQ(fewer.exit_code, 0) << fewer.output;
  EXPECT_TRUE(contains(fewer.output, "(3 clips grown for the split, 0 spoken now)")) << fewer.output;
  const nlohmann::json written = read_json_file(out + "/corpus.json");
  EXPECT_EQ(written.at("recipe").at("mixture").at("caption"), 5);
  EXPECT_EQ(written.at("splits").at("train").at("tasks").at("caption").at("examples"), 5);
}

TEST_F(DataBuildCli, ABadRecipeExitsNonZeroNamingTheField) {
  nlohmann::json recipe = corpus.recipe({{"caption", 3}}, 0.1);
  recipe["mixture"]["speek"] = 3;
  write_recipe(recipe);
  const CliRun typo = run_tessera("data build " + recipe_path() + " --out " + dir.path("out"));
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_TRUE(contains(typo.output, "error: " + recipe_path() + ": field 'mixture.speek': unknown field"))
      << typo.output;

  const CliRun bad_set = run_tessera("data build " + recipe_path() + " --out " + dir.path("out") +
                                     " --set mixture.speek=0 --set mixture.draw=-1");
  EXPECT_EQ(bad_set.exit_code, 1);
  EXPECT_TRUE(contains(bad_set.output, "--set mixture.draw=-1")) << bad_set.output;
}

TEST_F(DataBuildCli, AnotherVocabularyIsRefusedUnlessForced) {
  const std::string out = dir.path("out");
  nlohmann::json without_audio = corpus.recipe({{"caption", 3}}, {{"caption", 1}});
  without_audio["codecs"].erase("audio");
  write_recipe(without_audio);
  const CliRun first = run_tessera("data build " + recipe_path() + " --out " + out);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "no audio codec: no speech tasks")) << first.output;

  write_recipe(corpus.recipe({{"caption", 3}}, {{"caption", 1}}));
  const CliRun changed = run_tessera("data build " + recipe_path() + " --out " + out);
  EXPECT_EQ(changed.exit_code, 1);
  EXPECT_TRUE(contains(changed.output,
                       "image 125 (436 ids), but these codecs lay out text 300 | control 11 | "
                       "image 125 | audio 250 (686 ids)"))
      << changed.output;
  const CliRun forced = run_tessera("data build " + recipe_path() + " --out " + out + " --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
}

TEST_F(DataBuildCli, HelpExplainsTheRecipeAndTheOutputs) {
  const CliRun r = run_tessera("data build --help");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* part : {"--out", "--set", "--force", "mixture", "condition_dropout", "context_length", "corpus.json",
                           "src/data/corpus_recipe.h", "espeak-ng"}) {
    EXPECT_TRUE(contains(r.output, part)) << part << " missing from:\n" << r.output;
  }
}

}  // namespace
}  // namespace tessera
