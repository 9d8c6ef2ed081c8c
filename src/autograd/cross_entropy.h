#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tessera {

struct CrossEntropyOptions {
  int32_t ignore_index = -100;  // rows whose target equals it add nothing and count for nothing
  float z_loss = 0.0f;          // adds z_loss * logsumexp(logits)^2 per row (PaLM's auxiliary term)
};

// logits: (..., V), targets: i32 (...). Fused log-softmax + negative log-likelihood,
// averaged over the rows not ignored (0 when every row is ignored). Returns shape ().
// A target outside [0, V) that is not ignore_index raises an Error naming it.
Tensor cross_entropy(const Tensor& logits, const Tensor& targets, const CrossEntropyOptions& options = {});

}  // namespace tessera
