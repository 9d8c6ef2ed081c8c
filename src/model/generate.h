#pragma once
// Generation: the prompt goes through the model once (prefill, filling the KV cache),
// then one token at a time (decode), each sampled from the last position's logits.
// One row of generate_batch.h, which does the work for any number of rows.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "model/sampler.h"
#include "model/transformer.h"

namespace tessera::model {

struct GenerateOptions {
  SamplingConfig sampling;
  int64_t max_new_tokens = 256;
  std::vector<int32_t> stop_ids;  // generation ends at the first of them (not kept)
  // Tokens are drawn from [lo, hi) only (hi = 0: the whole vocabulary).
  int32_t lo = 0, hi = 0;
};

enum class StopReason { stop_id, max_new_tokens, context_full, callback };
const char* stop_reason_name(StopReason reason);

struct GenerateResult {
  std::vector<int32_t> tokens;  // generated, without the prompt or the stop id
  StopReason reason = StopReason::max_new_tokens;
  double prefill_seconds = 0, decode_seconds = 0;
};

// Called with each generated token as it comes (for streaming); returning false ends the
// generation after that token (a stop string the caller recognized).
using TokenCallback = std::function<bool(int32_t)>;

// prompt: global ids, at least one and at most context_length of them (a longer prompt is
// an error naming both lengths). Generation also ends when prompt + generated tokens fill
// the context. Runs under NoGradGuard.
GenerateResult generate(const Transformer& model, int64_t context_length, std::span<const int32_t> prompt,
                        const GenerateOptions& options, const TokenCallback& on_token = {});

}  // namespace tessera::model
