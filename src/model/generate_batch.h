#pragma once
// Several rows generated as one batch: one prefill of every prompt, then one forward pass
// of (R, 1) ids per step through one KV cache of R rows. Each row has its own prompt,
// sampling, seed, grammar, stop ids and budget, and its tokens are exactly those it would
// get alone: `--samples N` is N rows of one prompt with seeds seed, seed + 1, ...
//
// Prompts of different lengths are padded on the left to the longest and the padding is
// masked out of every query's keys (RoPE is relative, so a row's offset does not matter).
// A row that stops is fed `pad_id` from then on and its output ignored; the batch ends when
// every row has stopped.
//
// Classifier-free guidance: a row with an unconditional prompt (its condition dropped:
// `<bos> <draw> <image>` for `<bos> <draw> text <image>`) takes a second cache row, fed
// the same sampled token each step. Inside image and audio spans the row draws from
// cond + scale * (cond - uncond), outside them from the conditional logits alone, so text
// and control tokens stay the conditional model's.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "codecs/vocabulary.h"
#include "model/generate.h"
#include "model/sampler.h"
#include "model/span_grammar.h"
#include "model/transformer.h"

namespace tessera::model {

// A sampling config for each kind of span the next token may belong to. Their `seed`
// fields are not read: a row draws from one Rng, seeded by GenerationRow::seed.
struct ModalitySampling {
  SamplingConfig text;  // outside a span: text and control tokens
  SamplingConfig image, audio;

  static ModalitySampling all(const SamplingConfig& config);  // the same config everywhere
  const SamplingConfig& for_span(std::optional<codecs::Modality> open_span) const;
};

struct Guidance {
  std::vector<int32_t> unconditional_prompt;  // global ids, 1 to context_length of them
  float scale = 0;                            // 0: exactly unguided sampling
};

struct GenerationRow {
  std::vector<int32_t> prompt;  // global ids, 1 to context_length of them
  ModalitySampling sampling;
  uint64_t seed = 0;
  // The row's grammar before the prompt, which generation pushes into it (an error when the
  // prompt breaks it); its context length must be the batch's. None: `allowed` at every step.
  std::optional<SpanGrammar> grammar;
  std::vector<IdRange> allowed;   // without a grammar; empty: the whole vocabulary
  std::vector<int32_t> stop_ids;  // the row ends at the first of them (not kept)
  int64_t max_new_tokens = 256;
  std::optional<Guidance> guidance;  // needs a grammar, whose spans it applies in
};

// Called with each row's tokens as they come (for streaming); returning false ends that
// row after the token.
using RowTokenCallback = std::function<bool(int64_t row, int32_t id)>;

// One result per row, in order; the prefill and decode seconds are the whole batch's. A row
// also ends when its prompt and tokens fill the context. pad_id: what fills the left
// padding and follows a stopped row, masked out or ignored (<pad> by convention). Runs
// under NoGradGuard.
std::vector<GenerateResult> generate_batch(const Transformer& model, int64_t context_length, int32_t pad_id,
                                           std::span<const GenerationRow> rows, const RowTokenCallback& on_token = {});

}  // namespace tessera::model
