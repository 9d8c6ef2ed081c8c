// Classifier-free guidance: scale 0 is exactly unguided sampling, a batch of conditional and
// unconditional rows gives exactly what the two prompts give run apart and combined by
// cond + scale * (cond - uncond) inside spans, text outside spans is the conditional
// model's alone, and a nonzero scale changes the tokens.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "autograd/engine.h"
#include "model/generate_batch.h"
#include "model/kv_cache.h"
#include "model/span_check.h"

namespace tessera::model {
namespace {

using testing::span_model_config;
using testing::span_vocabulary;

constexpr int64_t kContext = 40;

int32_t control(const char* name) { return span_vocabulary().control(name); }

// A draw and a speak prompt, each with its condition (the text) and without it.
struct PromptPair {
  std::vector<int32_t> cond, uncond;
};
std::vector<PromptPair> prompt_pairs() {
  const int32_t bos = control("<bos>"), draw = control("<draw>"), speak = control("<speak>");
  return {{{bos, draw, 3, 4, control("<image>")}, {bos, draw, control("<image>")}},
          {{bos, speak, 5, 6, 7, 8, control("<audio>")}, {bos, speak, control("<audio>")}},
          {{bos, draw, 9, 1, 2}, {bos, draw}}};  // text first: guidance waits for a span
}

GenerationRow guided_row(const PromptPair& prompts, uint64_t seed, float scale) {
  GenerationRow row;
  row.prompt = prompts.cond;
  row.sampling = ModalitySampling::all({.temperature = 1.0f});
  row.sampling.audio.top_k = 4;
  row.seed = seed;
  row.grammar = SpanGrammar(span_vocabulary(), testing::span_shape(kContext));
  row.stop_ids = {control("<eos>")};
  row.max_new_tokens = 25;
  row.guidance = Guidance{prompts.uncond, scale};
  return row;
}

std::vector<int32_t> tokens_of(const Transformer& model, const GenerationRow& row) {
  return generate_batch(model, kContext, control("<pad>"), std::vector<GenerationRow>{row})[0].tokens;
}

// Guided generation the slow way: each prompt through a cache of its own, one row at a
// time, the logits combined here.
std::vector<int32_t> guided_apart(const Transformer& model, const GenerationRow& row) {
  autograd::NoGradGuard no_grad;
  const std::vector<int32_t>& uncond_prompt = row.guidance->unconditional_prompt;
  const auto P = static_cast<int64_t>(row.prompt.size()), U = static_cast<int64_t>(uncond_prompt.size());
  KVCache cond_cache(model.config, 1, kContext), uncond_cache(model.config, 1, U + kContext - P);
  Tensor cond = model.forward(Tensor::from_vector(row.prompt, {1, P}), cond_cache, true);
  Tensor uncond = model.forward(Tensor::from_vector(uncond_prompt, {1, U}), uncond_cache, true);
  SpanGrammar grammar = *row.grammar;
  grammar.push(std::span<const int32_t>(row.prompt));
  Rng rng(row.seed);
  std::vector<int32_t> context = row.prompt, tokens;
  const int64_t V = model.config.vocab_size;
  const float scale = row.guidance->scale;
  while (static_cast<int64_t>(context.size()) < kContext && static_cast<int64_t>(tokens.size()) < row.max_new_tokens) {
    std::vector<float> logits(static_cast<size_t>(V));
    for (int64_t v = 0; v < V; ++v) {
      const float c = cond.data<float>()[v], u = uncond.data<float>()[v];
      logits[v] = grammar.open_span() ? c + scale * (c - u) : c;
    }
    const int32_t id = sample(logits, row.sampling.for_span(grammar.open_span()), rng, context, grammar.allowed());
    if (id == control("<eos>")) break;
    tokens.push_back(id);
    context.push_back(id);
    grammar.push(id);
    cond = model.forward(Tensor::from_vector(std::vector<int32_t>{id}, {1, 1}), cond_cache);
    uncond = model.forward(Tensor::from_vector(std::vector<int32_t>{id}, {1, 1}), uncond_cache);
  }
  return tokens;
}

TEST(Guidance, ScaleZeroIsExactlyUnguidedSampling) {
  Rng rng(1);
  const Transformer model(span_model_config(), rng);
  for (const PromptPair& prompts : prompt_pairs()) {
    for (uint64_t seed = 0; seed < 6; ++seed) {
      GenerationRow row = guided_row(prompts, seed, 0.0f);
      const std::vector<int32_t> guided = tokens_of(model, row);
      row.guidance.reset();
      EXPECT_EQ(guided, tokens_of(model, row)) << "seed " << seed;
    }
  }
}

TEST(Guidance, ABatchOfGuidedRowsEqualsEachPromptPairRunApart) {
  Rng rng(2);
  const Transformer model(span_model_config(), rng);
  std::vector<GenerationRow> rows;
  for (uint64_t seed = 0; seed < 9; ++seed) {
    const auto pairs = prompt_pairs();
    rows.push_back(guided_row(pairs[seed % pairs.size()], seed, seed < 3 ? 1.5f : 4.0f));
  }
  GenerationRow unguided = guided_row(prompt_pairs()[0], 99, 0);  // an unguided row among them
  unguided.guidance.reset();
  rows.push_back(unguided);

  const std::vector<GenerateResult> together = generate_batch(model, kContext, control("<pad>"), rows);
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    EXPECT_EQ(together[i].tokens, guided_apart(model, rows[i])) << "row " << i;
  }
  EXPECT_EQ(together.back().tokens, tokens_of(model, unguided));
}

TEST(Guidance, ANonzeroScaleChangesTheSpansButNotTheTextBeforeThem) {
  Rng rng(3);
  const Transformer model(span_model_config(), rng);
  int64_t changed = 0;
  for (const PromptPair& prompts : prompt_pairs()) {
    for (uint64_t seed = 0; seed < 4; ++seed) {
      const std::vector<int32_t> guided = tokens_of(model, guided_row(prompts, seed, 3.0f));
      const std::vector<int32_t> plain = tokens_of(model, guided_row(prompts, seed, 0.0f));
      changed += guided != plain;
      // A prompt that ends outside a span: up to the first opener, only the conditional logits count.
      const int32_t last = prompts.cond.back();
      if (last == control("<image>") || last == control("<audio>")) continue;
      const auto opener = std::find_if(plain.begin(), plain.end(),
                                       [](int32_t id) { return id == control("<image>") || id == control("<audio>"); });
      const size_t shared = std::min({static_cast<size_t>(opener - plain.begin()) + 1, plain.size(), guided.size()});
      EXPECT_TRUE(std::equal(guided.begin(), guided.begin() + static_cast<ptrdiff_t>(shared), plain.begin()))
          << "seed " << seed;
    }
  }
  EXPECT_GE(changed, 8) << "of 12 rows, most of them in spans from their first token";
}

}  // namespace
}  // namespace tessera::model
