// `tessera codec ... text` and `tessera data text` as a user runs them.
#include <gtest/gtest.h>

#include <algorithm>

#include "codecs/text_codec.h"
#include "io/shard.h"
#include "support/run_tessera.h"
#include "support/sample_text.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

class CodecTextCli : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(dir.path("corpus.txt"), sample_text_corpus(400));
    const CliRun r = run_tessera("--threads 1 codec train text --corpus " + dir.path("corpus.txt") + " --out " +
                                 model() + " --vocab-size 350 --seed 3");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "text codec: 350-piece BPE trained on 400 of 400 lines")) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line, no SentencePiece chatter:\n"
                                                                     << r.output;
  }
  std::string model() const { return dir.path("text.model"); }
  TempDir dir;
};

TEST_F(CodecTextCli, EncodeThenDecodeGivesTheTextBack) {
  const std::string text = "the dog sings ñandú 日本 😀, 42.";
  const CliRun encoded = run_tessera("codec encode text --codec " + model() + " '" + text + "'");
  ASSERT_EQ(encoded.exit_code, 0) << encoded.output;
  ASSERT_FALSE(encoded.output.empty());
  EXPECT_EQ(encoded.output.find_first_not_of("0123456789 \n"), std::string::npos) << encoded.output;
  const std::string ids = encoded.output.substr(0, encoded.output.size() - 1);
  const CliRun decoded = run_tessera("codec decode text --codec " + model() + " " + ids);
  ASSERT_EQ(decoded.exit_code, 0) << decoded.output;
  EXPECT_EQ(decoded.output, text + "\n");
}

TEST_F(CodecTextCli, EncodesAWholeFile) {
  write_text(dir.path("in.txt"), "two\nlines\n");
  const CliRun from_file = run_tessera("codec encode text --codec " + model() + " --file " + dir.path("in.txt"));
  ASSERT_EQ(from_file.exit_code, 0) << from_file.output;
  std::string expected;
  for (int32_t id : codecs::TextCodec::load(model()).encode("two\nlines\n")) expected += std::to_string(id) + " ";
  expected.back() = '\n';
  EXPECT_EQ(from_file.output, expected);
  const CliRun both = run_tessera("codec encode text --codec " + model() + " --file " + dir.path("in.txt") + " hi");
  EXPECT_NE(both.exit_code, 0);
  EXPECT_TRUE(contains(both.output, "excludes")) << both.output;
  const CliRun neither = run_tessera("codec encode text --codec " + model());
  EXPECT_EQ(neither.exit_code, 1);
  EXPECT_TRUE(contains(neither.output, "give a TEXT to encode or --file")) << neither.output;
}

TEST_F(CodecTextCli, ErrorsNameTheFileAndExitNonZero) {
  const std::string missing = dir.path("missing.txt");
  const CliRun no_corpus = run_tessera("codec train text --corpus " + missing + " --out " + dir.path("x.model"));
  EXPECT_EQ(no_corpus.exit_code, 1);
  EXPECT_TRUE(contains(no_corpus.output, "error: " + missing + ": cannot open the text corpus")) << no_corpus.output;
  const CliRun small = run_tessera("codec train text --corpus " + dir.path("corpus.txt") + " --out " +
                                   dir.path("x.model") + " --vocab-size 200");
  EXPECT_EQ(small.exit_code, 1);
  EXPECT_TRUE(contains(small.output, "the minimum is 300")) << small.output;
  const CliRun not_model = run_tessera("codec encode text --codec " + dir.path("corpus.txt") + " hello");
  EXPECT_EQ(not_model.exit_code, 1);
  EXPECT_TRUE(contains(not_model.output, dir.path("corpus.txt") + ": not a SentencePiece model")) << not_model.output;
  const CliRun bad_id = run_tessera("codec decode text --codec " + model() + " 3 350");
  EXPECT_EQ(bad_id.exit_code, 1);
  EXPECT_TRUE(contains(bad_id.output, "id 350 at position 1")) << bad_id.output;
}

TEST_F(CodecTextCli, ActionsAndModalitiesMustBeNamed) {
  const CliRun no_action = run_tessera("codec");
  EXPECT_NE(no_action.exit_code, 0);
  EXPECT_TRUE(contains(no_action.output, "subcommand")) << no_action.output;
  const CliRun no_modality = run_tessera("codec train --corpus x");
  EXPECT_NE(no_modality.exit_code, 0);
  const CliRun help = run_tessera("codec train text --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--corpus", "--out", "--vocab-size", "--character-coverage", "--max-sentences", "--seed"}) {
    EXPECT_TRUE(contains(help.output, option)) << help.output;
  }
}

TEST_F(CodecTextCli, DataTextWritesAReadableShard) {
  write_text(dir.path("a.txt"), "the dog\n\nthe cat sings\n");
  const std::string shard = dir.path("a.shard");
  const CliRun r = run_tessera("data text --codec " + model() + " --input " + dir.path("a.txt") + " --input " +
                               dir.path("corpus.txt") + " --out " + shard);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "402 lines (1 empty skipped)")) << r.output;
  EXPECT_TRUE(contains(r.output, "bytes/token")) << r.output;
  const std::vector<int32_t> ids = read_shard(shard);
  const int32_t bos = 350, eos = 351;  // the control tokens follow the 350 text ids
  ASSERT_GE(ids.size(), 4u);
  EXPECT_EQ(ids.front(), bos);
  EXPECT_EQ(ids.back(), eos);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), bos), 402);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), eos), 402);
  const CliRun missing = run_tessera("data text --codec " + model() + " --input " + dir.path("nope.txt") +
                                     " --out " + shard);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.output, dir.path("nope.txt"))) << missing.output;
}

}  // namespace
}  // namespace tessera
