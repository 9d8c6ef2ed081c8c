#pragma once
// Choosing the next token from one row of logits.
//
// Applied in this order, each step on what the one before left:
//   1. repetition penalty (CTRL): each distinct token already in the context window has
//      its logit divided by the penalty when positive, multiplied when negative;
//   2. temperature: logits / temperature; temperature 0 is greedy (the largest logit,
//      the lowest id on ties) and skips the steps below;
//   3. top-k: only the k largest logits stay;
//   4. top-p (nucleus): of those, by falling probability, the fewest whose probabilities
//      (renormalized over what is left) add up to at least top_p;
//   5. min-p: of those, only tokens with probability >= min_p * the largest probability.
// Then one token is drawn from what is left, in proportion to its probability.
//
// Every step sees only the allowed ids, a few ranges [lo, hi): constrained decoding (inside
// an image span, only image codes; see span_grammar.h) is those ranges and nothing else.
#include <cstdint>
#include <span>
#include <string>

#include "core/rng.h"

namespace tessera::model {

struct SamplingConfig {
  float temperature = 1.0f;         // 0: greedy
  int64_t top_k = 0;                // 0: off
  float top_p = 1.0f;               // 1: off
  float min_p = 0.0f;               // 0: off
  float repetition_penalty = 1.0f;  // 1: off
  uint64_t seed = 0;                // of the Rng a generation draws from

  // Each field in its range; errors name the field, the range and the value.
  void validate() const;
};

// Global ids lo .. hi - 1.
struct IdRange {
  int32_t lo = 0, hi = 0;
  bool operator==(const IdRange&) const = default;
};
std::string ranges_str(std::span<const IdRange> ranges);  // "[0, 20) [23, 30)"

// logits: the whole vocabulary's row (V); history: the ids in the context window (global);
// allowed: ascending, non-overlapping ranges. Returns a global id inside one of them; how
// the ranges are split never changes the draw, only which ids they cover. Throws when the
// list is empty, a range is empty, outside [0, V) or out of order, or when no allowed logit
// is finite.
int32_t sample(std::span<const float> logits, const SamplingConfig& config, Rng& rng, std::span<const int32_t> history,
               std::span<const IdRange> allowed);

// The same over the one range [lo, hi).
int32_t sample(std::span<const float> logits, const SamplingConfig& config, Rng& rng, std::span<const int32_t> history,
               int32_t lo, int32_t hi);

}  // namespace tessera::model
