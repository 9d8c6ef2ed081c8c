// `tessera score` as a user runs it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/run_tessera.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

namespace tessera::testing {
namespace {

using nlohmann::json;

constexpr int64_t kContext = 64;

class ScoreCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir;
    TinyModelOptions tied;
    tied.context_length = kContext;
    write_tiny_model(tmp_->path("tied"), tied);
  }
  static void TearDownTestSuite() { delete tmp_; }

  // The JSON `tessera score` prints for `arguments`.
  static json score(const std::string& arguments) {
    const CliRun r = run_tessera("score " + arguments);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return json::parse(r.output);
  }
  static TempDir* tmp_;
};
TempDir* ScoreCli::tmp_ = nullptr;

TEST_F(ScoreCli, ScoresAPromptAsGenerationSeesIt) {
  const json s = score(tmp_->path("tied") + " --prompt 'the dog runs'");
  const json& tokens = s.at("tokens");
  ASSERT_GE(tokens.size(), 3u) << s.dump(2);
  EXPECT_EQ(tokens[0].at("id"), 300);
  EXPECT_EQ(tokens[0].at("token"), "<bos>");
  EXPECT_FALSE(tokens[0].contains("logprob")) << "the first token has nothing before it";
  std::string text;
  double sum = 0;
  for (size_t i = 1; i < tokens.size(); ++i) {
    EXPECT_LT(tokens[i].at("id").get<int>(), 300) << "text ids";
    EXPECT_LE(tokens[i].at("logprob").get<double>(), 0.0);
    EXPECT_FALSE(tokens[i].contains("top")) << "only with --top-k";
    text += tokens[i].at("token").get<std::string>();
    sum += tokens[i].at("logprob").get<double>();
  }
  EXPECT_EQ(text, "the\xE2\x96\x81" "dog\xE2\x96\x81" "runs") << "SentencePiece's pieces, U+2581 for a space";
  EXPECT_EQ(s.at("scored"), tokens.size() - 1);
  EXPECT_NEAR(s.at("sum_logprob").get<double>(), sum, 1e-9);
  EXPECT_NEAR(s.at("mean_logprob").get<double>(), sum / static_cast<double>(tokens.size() - 1), 1e-9);
  EXPECT_FALSE(s.contains("next"));
}

TEST_F(ScoreCli, TopKListsTheLargestLogits) {
  const json s = score(tmp_->path("tied") + " --ids '300 12 301' --top-k 4");
  const json& tokens = s.at("tokens");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[2].at("token"), "<eos>");
  for (const json& list : {tokens[1].at("top"), tokens[2].at("top"), s.at("next")}) {
    ASSERT_EQ(list.size(), 4u) << s.dump(2);
    for (size_t k = 1; k < list.size(); ++k) {
      EXPECT_GE(list[k - 1].at("logit").get<double>(), list[k].at("logit").get<double>());
      EXPECT_GT(list[k - 1].at("logprob").get<double>() - list[k].at("logprob").get<double>(), -1e-12);
    }
  }
  // A listed token's log-probability is the one reported for it when it is the next token.
  for (const json& c : tokens[1].at("top")) {
    if (c.at("id") == 12) {
      EXPECT_NEAR(c.at("logprob").get<double>(), tokens[1].at("logprob").get<double>(), 1e-12);
    }
  }
  const json single = score(tmp_->path("tied") + " --ids 300");
  EXPECT_EQ(single.at("scored"), 0);
  EXPECT_EQ(single.at("sum_logprob"), 0.0);
  EXPECT_TRUE(single.at("mean_logprob").is_null());
}

TEST_F(ScoreCli, RefusesBadInput) {
  std::string long_ids;
  for (int64_t i = 0; i <= kContext; ++i) long_ids += "5 ";
  const CliRun too_long = run_tessera("score " + tmp_->path("tied") + " --ids '" + long_ids + "'");
  EXPECT_EQ(too_long.exit_code, 1);
  EXPECT_TRUE(contains(too_long.output, "the input is 65 tokens, longer than the model's context length of 64 tokens"))
      << too_long.output;
  const CliRun outside = run_tessera("score " + tmp_->path("tied") + " --ids '300 311'");
  EXPECT_EQ(outside.exit_code, 1);
  EXPECT_TRUE(contains(outside.output, "id 311 at position 1 is outside the model's vocabulary [0, 311)"))
      << outside.output;
  const CliRun neither = run_tessera("score " + tmp_->path("tied"));
  EXPECT_EQ(neither.exit_code, 1);
  EXPECT_TRUE(contains(neither.output, "give the input with --prompt TEXT or --ids")) << neither.output;
  const CliRun both = run_tessera("score " + tmp_->path("tied") + " --prompt x --ids 1");
  EXPECT_NE(both.exit_code, 0);
  const CliRun help = run_tessera("score --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.output, "--top-k")) << help.output;
  EXPECT_TRUE(contains(help.output, "docs/format.md")) << help.output;
}

}  // namespace
}  // namespace tessera::testing
