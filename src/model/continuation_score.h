#pragma once
// Ranking candidates by likelihood: the log-probability the model gives each of several
// continuations after one shared prefix (an image's caption prompt and every class name,
// say). The prefix is run once into a KV cache whose keys and values every candidate row then
// starts from, so a candidate costs its own tokens only.
#include <cstdint>
#include <span>
#include <vector>

#include "model/transformer.h"

namespace tessera::model {

// log p(continuation | prefix) for each continuation: the sum of its tokens' log-probabilities
// (formed in double, as score.h does). prefix: global ids, at least one; each continuation at
// least one id, and prefix + continuation at most context_length (errors name the one that
// is not). Candidates run `batch` rows at a time, right-padded with pad_id (causal attention
// keeps padding out of every real position). Runs under NoGradGuard.
std::vector<double> continuation_logprobs(const Transformer& model, int64_t context_length,
                                          std::span<const int32_t> prefix,
                                          const std::vector<std::vector<int32_t>>& continuations, int32_t pad_id,
                                          int64_t batch = 32);

}  // namespace tessera::model
