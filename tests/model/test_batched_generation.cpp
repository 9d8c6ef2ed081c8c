// Batched generation: rows decoded together give exactly the tokens each gives alone (one
// prompt with consecutive seeds, prompts of different lengths behind left padding, rows
// that stop early), sampled rows follow the span grammar at any temperature, each span
// samples with its own modality's config, and bad rows are clear errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "model/generate_batch.h"
#include "model/span_check.h"
#include "support/expect_error.h"

namespace tessera::model {
namespace {

using testing::span_model_config;
using testing::span_vocabulary;

constexpr int64_t kContext = 40;

int32_t control(const char* name) { return span_vocabulary().control(name); }
int32_t image_code(int64_t c) { return span_vocabulary().to_global(codecs::Modality::image, c); }

GenerationRow grammar_row(std::vector<int32_t> prompt, uint64_t seed, SamplingConfig sampling = {.temperature = 1.5f}) {
  GenerationRow row;
  row.prompt = std::move(prompt);
  row.sampling = ModalitySampling::all(sampling);
  row.seed = seed;
  row.grammar = SpanGrammar(span_vocabulary(), testing::span_shape(kContext));
  row.stop_ids = {control("<eos>")};
  row.max_new_tokens = 30;
  return row;
}

std::vector<GenerateResult> batched(const Transformer& model, const std::vector<GenerationRow>& rows,
                                    const RowTokenCallback& on_token = {}) {
  return generate_batch(model, kContext, control("<pad>"), rows, on_token);
}

std::vector<GenerateResult> one_by_one(const Transformer& model, const std::vector<GenerationRow>& rows) {
  std::vector<GenerateResult> results;
  for (const GenerationRow& row : rows) results.push_back(batched(model, {row})[0]);
  return results;
}

void expect_same_tokens(const std::vector<GenerateResult>& together, const std::vector<GenerateResult>& alone) {
  ASSERT_EQ(together.size(), alone.size());
  for (size_t i = 0; i < alone.size(); ++i) {
    EXPECT_EQ(together[i].tokens, alone[i].tokens) << "row " << i;
    EXPECT_EQ(together[i].reason, alone[i].reason) << "row " << i;
  }
}

// The task formats' prompts, some ending inside an open span.
std::vector<std::vector<int32_t>> task_prompts() {
  const int32_t bos = control("<bos>");
  std::vector<int32_t> caption = {bos, control("<image>")};
  for (int64_t i = 0; i < testing::kImageCodes; ++i) caption.push_back(image_code(i));
  caption.insert(caption.end(), {control("</image>"), control("<caption>")});
  return {{bos},
          {bos, control("<draw>"), 3, 4, control("<image>")},
          {bos, control("<speak>"), 5, 6, 7, control("<audio>")},
          {bos, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
          caption,
          {bos, control("<draw>"), control("<image>")}};
}

TEST(BatchedGeneration, SamplesOfOnePromptEqualThemOneByOne) {
  Rng rng(1);
  const Transformer model(span_model_config(), rng);
  std::vector<GenerationRow> rows;
  for (uint64_t seed = 7; seed < 11; ++seed) rows.push_back(grammar_row(task_prompts()[1], seed));
  const std::vector<GenerateResult> together = batched(model, rows);
  expect_same_tokens(together, one_by_one(model, rows));
  EXPECT_NE(together[0].tokens, together[1].tokens) << "another seed, another sample";
}

TEST(BatchedGeneration, PromptsOfDifferentLengthsEqualThemOneByOne) {
  Rng rng(2);
  const Transformer model(span_model_config(), rng);
  const std::vector<SamplingConfig> samplings = {{.temperature = 1.0f},
                                                 {.temperature = 2.0f, .top_k = 5},
                                                 {.temperature = 0.8f, .top_p = 0.9f, .repetition_penalty = 1.3f},
                                                 {.temperature = 0},
                                                 {.temperature = 1.2f, .min_p = 0.05f}};
  std::vector<GenerationRow> rows;
  const auto prompts = task_prompts();
  for (size_t i = 0; i < prompts.size(); ++i) {
    rows.push_back(grammar_row(prompts[i], 100 + i, samplings[i % samplings.size()]));
    rows.back().max_new_tokens = static_cast<int64_t>(5 + 7 * i);
  }
  GenerationRow free_row = grammar_row({control("<bos>"), 9, 9}, 3);  // the whole vocabulary, no grammar
  free_row.grammar.reset();
  rows.push_back(free_row);
  GenerationRow nearly_full = grammar_row(std::vector<int32_t>(kContext - 2, 4), 5);  // the context ends it
  nearly_full.stop_ids.clear();
  rows.push_back(nearly_full);

  const std::vector<GenerateResult> together = batched(model, rows);
  expect_same_tokens(together, one_by_one(model, rows));
  EXPECT_EQ(together.back().reason, StopReason::context_full);
  EXPECT_EQ(together.back().tokens.size(), 2u);
}

TEST(BatchedGeneration, EachRowStopsOnItsOwn) {
  Rng rng(3);
  const Transformer model(span_model_config(), rng);
  std::vector<GenerationRow> rows;
  for (const auto& prompt : task_prompts()) rows.push_back(grammar_row(prompt, 11 + rows.size()));
  rows[0].max_new_tokens = 0;
  rows[2].max_new_tokens = 4;
  const std::vector<GenerateResult> free_run = one_by_one(model, rows);
  ASSERT_GE(free_run[3].tokens.size(), 3u);
  ASSERT_GE(free_run[4].tokens.size(), 2u);
  const int32_t stop = free_run[4].tokens[1];
  rows[4].stop_ids.push_back(stop);  // a stop id of its own

  std::vector<std::vector<int32_t>> streamed(rows.size());
  const std::vector<GenerateResult> together = batched(model, rows, [&](int64_t row, int32_t id) {
    streamed[static_cast<size_t>(row)].push_back(id);
    return row != 3 || streamed[3].size() < 3;  // the caller stops row 3 after its third token
  });
  EXPECT_EQ(together[0].tokens.size(), 0u);
  EXPECT_EQ(together[0].reason, StopReason::max_new_tokens);
  EXPECT_EQ(together[2].tokens, free_run[2].tokens);
  EXPECT_EQ(together[2].tokens.size(), 4u);
  EXPECT_EQ(together[3].reason, StopReason::callback);
  EXPECT_EQ(together[3].tokens, std::vector<int32_t>(free_run[3].tokens.begin(), free_run[3].tokens.begin() + 3));
  EXPECT_EQ(together[4].reason, StopReason::stop_id);
  const auto first_stop = std::find(free_run[4].tokens.begin(), free_run[4].tokens.end(), stop);
  EXPECT_EQ(together[4].tokens, std::vector<int32_t>(free_run[4].tokens.begin(), first_stop)) << "the stop is not kept";
  for (size_t i : {1, 5}) EXPECT_EQ(together[i].tokens, free_run[i].tokens) << "row " << i;
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(streamed[i], together[i].tokens) << "row " << i;
}

// At a flat temperature every allowed id is likely somewhere: the spans still decode,
// closed at the context's end when they reach it. Without the grammar they do not.
TEST(BatchedGeneration, SampledRowsFollowTheGrammar) {
  Rng rng(4);
  const Transformer model(span_model_config(), rng);
  const auto prompts = task_prompts();
  std::vector<GenerationRow> rows;
  for (uint64_t seed = 0; seed < 48; ++seed) {
    rows.push_back(grammar_row(prompts[seed % prompts.size()], seed, {.temperature = 4.0f}));
    rows.back().max_new_tokens = kContext;  // rows end at <eos> or the context's end
  }
  const auto check = [&](const std::vector<GenerationRow>& batch) {
    const std::vector<GenerateResult> results = batched(model, batch);
    int64_t spans = 0, broken = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      std::vector<int32_t> row = batch[i].prompt;
      row.insert(row.end(), results[i].tokens.begin(), results[i].tokens.end());
      spans += std::count(row.begin(), row.end(), control("</image>")) +
               std::count(row.begin(), row.end(), control("</audio>"));
      const std::string errors = testing::span_errors(row, /*complete=*/true);
      if (!errors.empty()) ++broken;
      if (batch[i].grammar) {
        EXPECT_EQ(errors, "") << "seed " << batch[i].seed;
        EXPECT_NE(results[i].reason, StopReason::max_new_tokens);
      }
    }
    return std::pair{spans, broken};
  };
  const auto [spans, broken] = check(rows);
  EXPECT_GE(spans, 30) << "most rows went through spans";
  EXPECT_EQ(broken, 0);

  for (GenerationRow& row : rows) row.grammar.reset();
  EXPECT_GT(check(rows).second, 10) << "the control: without the grammar, spans break";
}

TEST(BatchedGeneration, EachSpanSamplesWithItsModalitysConfig) {
  Rng rng(5);
  const Transformer model(span_model_config(), rng);
  const auto image_codes_of = [&](float image_temperature) {
    std::vector<GenerationRow> rows;
    for (uint64_t seed = 0; seed < 6; ++seed) {
      rows.push_back(grammar_row(task_prompts()[1], seed));  // ends in <image>: L codes come first
      rows.back().sampling.image.temperature = image_temperature;
    }
    std::vector<std::vector<int32_t>> codes;
    for (const GenerateResult& r : batched(model, rows)) {
      codes.emplace_back(r.tokens.begin(), r.tokens.begin() + testing::kImageCodes);
    }
    return codes;
  };
  const std::vector<std::vector<int32_t>> greedy = image_codes_of(0);
  for (const auto& codes : greedy) EXPECT_EQ(codes, greedy[0]) << "greedy image codes whatever the seed";
  const std::vector<std::vector<int32_t>> sampled = image_codes_of(2);
  EXPECT_TRUE(std::any_of(sampled.begin(), sampled.end(), [&](const auto& codes) { return codes != sampled[0]; }))
      << "the control: sampled image codes change with the seed";
}

TEST(BatchedGeneration, BadRowsAreClearErrors) {
  Rng rng(6);
  const Transformer model(span_model_config(), rng);
  const std::vector<int32_t> prompt = task_prompts()[1];
  expect_error([&] { batched(model, {}); }, {"no rows"});

  GenerationRow row = grammar_row(prompt, 0);
  row.guidance = Guidance{{control("<bos>")}, 1.0f};
  row.grammar.reset();
  expect_error([&] { batched(model, {row}); }, {"row 0 has guidance but no grammar"});

  row = grammar_row(prompt, 0);
  row.grammar = SpanGrammar(span_vocabulary(), testing::span_shape(64));
  expect_error([&] { batched(model, {row}); }, {"grammar is for a context of 64 tokens, the batch's is 40"});
  row.grammar = SpanGrammar(span_vocabulary(), testing::span_shape(kContext));
  row.grammar->push(control("<bos>"));
  expect_error([&] { batched(model, {row}); }, {"has followed 1 ids already"});

  row = grammar_row({control("<bos>"), image_code(3)}, 0);
  expect_error([&] { batched(model, {row}); }, {"row 0's prompt breaks its grammar", "<image:3>", "position 1"});
  row = grammar_row(prompt, 0);
  row.allowed = {{0, 20}};
  expect_error([&] { batched(model, {row}); }, {"both a grammar and allowed ranges"});

  const GenerationRow good = grammar_row(prompt, 0);
  expect_error([&] { batched(model, {good, grammar_row({}, 1)}); }, {"row 1: the prompt is empty"});
  row = grammar_row(prompt, 0);
  row.guidance = Guidance{std::vector<int32_t>(kContext + 1, 3), 1.0f};
  expect_error(
      [&] {
        batched(model, {good, row});
      },
      {"row 1: the unconditional prompt has 41 tokens", "context length of 40"});
}

}  // namespace
}  // namespace tessera::model
