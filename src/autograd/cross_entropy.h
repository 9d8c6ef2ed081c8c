#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tessera {

struct CrossEntropyOptions {
  int32_t ignore_index = -100;  // rows whose target equals it add nothing and count for nothing
  float z_loss = 0.0f;          // adds z_loss * logsumexp(logits)^2 per row (PaLM's auxiliary term)
  // Undefined, or f32 (...) like the targets, each >= 0: the loss becomes the weighted mean
  // sum_r w_r loss_r / sum_r w_r over the rows not ignored (mixed-modal training weighs each
  // modality's targets). No gradient flows to the weights.
  Tensor weights = Tensor();
};

// logits: (..., V), targets: i32 (...). Fused log-softmax + negative log-likelihood,
// averaged over the rows not ignored (0 when every row is ignored, or their weights add up
// to 0). Returns shape (). A target outside [0, V) that is not ignore_index raises an Error
// naming it. row_losses, when not null, receives each row's unweighted loss, f32 (...) (0 on
// ignored rows), without gradient: per-modality metrics at no extra pass over the logits.
Tensor cross_entropy(const Tensor& logits, const Tensor& targets, const CrossEntropyOptions& options = {},
                     Tensor* row_losses = nullptr);

}  // namespace tessera
