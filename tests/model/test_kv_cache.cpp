// The KV cache changes how much is computed, never the result: cached logits match a full
// recomputation, and greedy decoding with the cache yields exactly its tokens.
#include <gtest/gtest.h>

#include <vector>

#include "autograd/engine.h"
#include "autograd/layout.h"
#include "model/generate.h"
#include "model/kv_cache.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::model {
namespace {

TransformerConfig small_config(bool tied) {
  TransformerConfig c;
  c.vocab_size = 53;
  c.dim = 32;
  c.n_layers = 2;
  c.n_heads = 4;
  c.hidden = 48;
  c.tied_embeddings = tied;
  c.init_std = 0.5f;  // peaked logits, so greedy choices are not near-ties
  return c;
}

std::vector<int32_t> random_ids(int64_t n, Rng& rng, int32_t vocab) {
  std::vector<int32_t> ids(static_cast<size_t>(n));
  for (int32_t& id : ids) id = static_cast<int32_t>(rng.below(vocab));
  return ids;
}

// Greedy decoding the slow way: the whole sequence through the model for every token.
std::vector<int32_t> greedy_uncached(const Transformer& model, std::vector<int32_t> ids, int64_t steps) {
  autograd::NoGradGuard no_grad;
  std::vector<int32_t> out;
  for (int64_t s = 0; s < steps; ++s) {
    const auto T = static_cast<int64_t>(ids.size());
    const Tensor logits = model.forward(Tensor::from_vector(ids, {1, T}));
    const int64_t V = logits.size(2);
    const float* row = logits.data<float>() + (T - 1) * V;
    int32_t best = 0;
    for (int32_t v = 1; v < V; ++v) best = row[v] > row[best] ? v : best;
    out.push_back(best);
    ids.push_back(best);
  }
  return out;
}

TEST(KVCache, CachedLogitsMatchFullRecomputation) {
  for (bool tied : {false, true}) {
    Rng rng(3);
    const Transformer model(small_config(tied), rng);
    autograd::NoGradGuard no_grad;
    for (int64_t batch : {1, 3}) {
      const int64_t total = 40;
      const Tensor ids = rand_int({batch, total}, rng, 0, 53);
      const Tensor full = model.forward(ids);
      KVCache cache(model.config, batch, 48);
      // Chunks of varied sizes (a prefill, single tokens, a longer run) cross into the cache.
      int64_t at = 0;
      for (int64_t chunk : {7, 1, 1, 12, 1, 18}) {
        const Tensor part = model.forward(slice(ids, 1, at, at + chunk), cache);
        EXPECT_LE(testing::relative_error(part, slice(full, 1, at, at + chunk)), 1e-5)
            << "tied " << tied << ", batch " << batch << ", positions " << at << ".." << at + chunk;
        at += chunk;
        EXPECT_EQ(cache.length(), at);
      }
      cache.clear();
      const Tensor last = model.forward(ids, cache, /*last_only=*/true);
      EXPECT_EQ(last.shape(), (Shape{batch, 1, 53}));
      EXPECT_LE(testing::relative_error(last, slice(full, 1, total - 1, total)), 1e-5);
    }
  }
}

TEST(KVCache, GreedyGenerationEqualsFullRecomputation) {
  Rng rng(9);
  const Transformer model(small_config(false), rng);
  const int64_t context = 40;
  for (int64_t prompt_length : {1, 2, 9, 25}) {
    const std::vector<int32_t> prompt = random_ids(prompt_length, rng, 53);
    GenerateOptions options;
    options.sampling.temperature = 0;
    options.max_new_tokens = 12;
    const GenerateResult cached = generate(model, context, prompt, options);
    EXPECT_EQ(cached.reason, StopReason::max_new_tokens);
    EXPECT_EQ(cached.tokens, greedy_uncached(model, prompt, 12)) << "prompt of " << prompt_length;
  }
}

TEST(KVCache, GenerationStopsWhenTheContextIsFull) {
  Rng rng(4);
  const Transformer model(small_config(true), rng);
  GenerateOptions options;
  options.sampling.temperature = 0;
  options.max_new_tokens = 100;
  const std::vector<int32_t> prompt = random_ids(10, rng, 53);
  const GenerateResult r = generate(model, 16, prompt, options);
  EXPECT_EQ(r.reason, StopReason::context_full);
  EXPECT_EQ(r.tokens, greedy_uncached(model, prompt, 6));
  EXPECT_EQ(generate(model, 10, prompt, options).tokens.size(), 0u) << "a prompt that fills the context";
}

TEST(KVCache, StopIdsAndTheCallbackEndGeneration) {
  Rng rng(4);
  const Transformer model(small_config(true), rng);
  const std::vector<int32_t> prompt = random_ids(5, rng, 53);
  GenerateOptions options;
  options.sampling.temperature = 0;
  options.max_new_tokens = 8;
  const std::vector<int32_t> free_run = generate(model, 64, prompt, options).tokens;
  ASSERT_EQ(free_run.size(), 8u);

  options.stop_ids = {free_run[3]};
  const GenerateResult stopped = generate(model, 64, prompt, options);
  EXPECT_EQ(stopped.reason, StopReason::stop_id);
  const auto first = std::find(free_run.begin(), free_run.end(), free_run[3]);
  EXPECT_EQ(stopped.tokens, std::vector<int32_t>(free_run.begin(), first)) << "the stop id is not kept";

  options.stop_ids.clear();
  std::vector<int32_t> streamed;
  const GenerateResult called = generate(model, 64, prompt, options, [&](int32_t id) {
    streamed.push_back(id);
    return streamed.size() < 2;
  });
  EXPECT_EQ(called.reason, StopReason::callback);
  EXPECT_EQ(streamed, std::vector<int32_t>(free_run.begin(), free_run.begin() + 2));
  EXPECT_EQ(called.tokens, streamed);
}

TEST(KVCache, ClearErrors) {
  Rng rng(1);
  const Transformer model(small_config(true), rng);
  const std::vector<int32_t> long_prompt = random_ids(20, rng, 53);
  expect_error([&] { generate(model, 16, long_prompt, {}); }, {"prompt has 20 tokens", "context length of 16"});
  expect_error([&] { generate(model, 16, std::vector<int32_t>{}, {}); }, {"prompt is empty"});
  expect_error([&] { generate(model, 16, std::vector<int32_t>{1, 99}, {}); }, {"prompt id 99", "[0, 53)"});
  KVCache cache(model.config, 1, 8);
  {
    autograd::NoGradGuard no_grad;
    expect_error(
        [&] {
          model.forward(rand_int({1, 9}, rng, 0, 53), cache);
        },
        {"9 new tokens after 0 cached", "context length 8"});
    expect_error([&] { model.forward(rand_int({2, 3}, rng, 0, 53), cache); }, {"(1, T)", "found ids (2, 3)"});
  }
  expect_error([&] { model.forward(rand_int({1, 2}, rng, 0, 53), cache); }, {"inference only", "NoGradGuard"});
}

}  // namespace
}  // namespace tessera::model
