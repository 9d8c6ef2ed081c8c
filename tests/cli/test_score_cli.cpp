// `tessera score` as a user runs it, and docs/format.md checked from outside: a Python
// reading of the model folder that shares no code with Tessera
// (tests/model/check_format.py) must compute the log-probabilities `tessera score` prints,
// for a tied and an untied head, and must notice a weight changed behind its back.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "support/run_tessera.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

namespace tessera::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kContext = 64;
// Absolute, in natural-log units: the float32 engine against a float64 reading. These
// models' logits reach about 10 and their largest difference is about 7e-6; nudging one
// weight by 0.01 moves values by up to 1.6e-2.
constexpr const char* kTolerance = "3e-5";

class ScoreCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir;
    TinyModelOptions tied;
    tied.context_length = kContext;
    write_tiny_model(tmp_->path("tied"), tied);
    TinyModelOptions untied = tied;
    untied.tied_embeddings = false;
    untied.seed = 6;
    write_tiny_model(tmp_->path("untied"), untied);
  }
  static void TearDownTestSuite() { delete tmp_; }

  // The JSON `tessera score` prints for `arguments`, also saved as `name` for the checker.
  static json score(const std::string& arguments, const std::string& name = "score.json") {
    const CliRun r = run_tessera("score " + arguments);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    write_file_atomically(tmp_->path(name), r.output);
    return json::parse(r.output);
  }
  static CliRun check_format(const std::string& model, const std::string& score_file) {
    return run_command(std::string("/usr/bin/python3 ") + TESSERA_SOURCE_DIR + "/tests/model/check_format.py " + model +
                       " " + tmp_->path(score_file) + " --tolerance " + kTolerance);
  }
  // A whole context of ids from every range of the vocabulary (text and control), <bos> first.
  static std::string spread_ids() {
    std::string ids = "300";
    uint64_t state = 7;
    for (int64_t i = 1; i < kContext; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      ids += ' ';
      ids += std::to_string((state >> 33) % 311);
    }
    return ids;
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
  EXPECT_EQ(text,
            "the\xE2\x96\x81"
            "dog\xE2\x96\x81"
            "runs")
      << "SentencePiece's pieces, U+2581 for a space";
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

// The outside reading agrees with the engine on a whole context of ids and on a prompt,
// with either head.
TEST_F(ScoreCli, AReadingOfDocsFormatAgrees) {
  for (const std::string model : {"tied", "untied"}) {
    SCOPED_TRACE(model);
    score(tmp_->path(model) + " --top-k 3 --ids '" + spread_ids() + "'", model + ".json");
    const CliRun ids = check_format(tmp_->path(model), model + ".json");
    std::printf("%s head: %s", model.c_str(), ids.output.c_str());  // the margin, for the log
    EXPECT_EQ(ids.exit_code, 0) << ids.output;
    EXPECT_TRUE(contains(ids.output, ": agree")) << ids.output;
    score(tmp_->path(model) + " --top-k 3 --prompt 'a small bird sings over the river, 42.'", model + ".prompt.json");
    const CliRun prompt = check_format(tmp_->path(model), model + ".prompt.json");
    EXPECT_EQ(prompt.exit_code, 0) << prompt.output;
  }
}

// The negative controls: the same comparison fails when the folder it reads differs from the
// one that was scored, by one weight or by the RoPE base, so its agreement means something.
TEST_F(ScoreCli, TheOutsideCheckNoticesAChangedModel) {
  score(tmp_->path("untied") + " --top-k 3 --ids '" + spread_ids() + "'", "original.json");

  const std::string nudged = tmp_->path("nudged");
  fs::copy(tmp_->path("untied"), nudged, fs::copy_options::recursive);
  Safetensors weights = read_safetensors(nudged + "/model.safetensors");
  for (auto& [name, tensor] : weights.tensors) {
    if (name == "blocks.1.mlp.down.weight") tensor.data<float>()[0] += 0.01f;
  }
  write_safetensors(nudged + "/model.safetensors", weights.tensors, weights.metadata);
  const CliRun weight = check_format(nudged, "original.json");
  std::printf("one weight nudged: %s", weight.output.c_str());
  EXPECT_EQ(weight.exit_code, 1) << weight.output;
  EXPECT_TRUE(contains(weight.output, "mismatch: ")) << weight.output;

  const std::string rotated = tmp_->path("rotated");
  fs::copy(tmp_->path("untied"), rotated, fs::copy_options::recursive);
  json config = json::parse(read_file(rotated + "/config.json"));
  config["architecture"]["rope_theta"] = 5000;
  write_file_atomically(rotated + "/config.json", config.dump(2));
  const CliRun theta = check_format(rotated, "original.json");
  std::printf("rope_theta changed: %s", theta.output.c_str());
  EXPECT_EQ(theta.exit_code, 1) << theta.output;
}

}  // namespace
}  // namespace tessera::testing
