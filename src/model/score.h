#pragma once
// Scoring a sequence (`tessera score`): the log-probability the model gives each token given
// the tokens before it, from one forward pass over the whole sequence, and optionally the K
// most likely tokens at each position. Log-probabilities are formed in double from the f32
// logits: logit - logsumexp(logits of the position).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "model/transformer.h"

namespace tessera::model {

struct Candidate {
  int32_t id = 0;
  float logit = 0;
  double logprob = 0;
};

struct TokenScore {
  int32_t id = 0;
  std::optional<double> logprob;  // log p(id | the ids before it); none for the first id
  std::vector<Candidate> top;     // the K largest logits of the position that predicts this id
};

struct SequenceScore {
  std::vector<TokenScore> tokens;
  std::vector<Candidate> next;         // the K largest logits after the last id
  double sum_logprob = 0;              // over every id but the first
  std::optional<double> mean_logprob;  // sum / (ids - 1); none for a single id
};

// ids: global ids, 1 to context_length of them (a longer input is an error naming both
// lengths), each inside the vocabulary. top_k: 0 for none; more than the vocabulary means all,
// largest first (equal logits: the lower id first). Runs under NoGradGuard.
SequenceScore score(const Transformer& model, int64_t context_length, std::span<const int32_t> ids, int64_t top_k);

}  // namespace tessera::model
