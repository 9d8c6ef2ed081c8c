#pragma once
// Fused log-softmax + negative log-likelihood over rows of logits. Targets are already
// checked: each is in [0, V) or equals ignore_index (that row takes no part).
#include <cstdint>

namespace tessera::kernels::cpu {

// Writes lse[r] = logsumexp(logits[r]) (0 for ignored rows) and returns
// sum over kept rows of row_weight[r] * (lse - logits[r, target] + z_loss * lse^2), added in
// row order; row_weight null means 1 for every row. row_loss, when not null, receives each
// row's unweighted loss (0 for ignored rows).
// logits: (rows, V), targets, lse, row_weight, row_loss: (rows)
double cross_entropy_forward(float* lse, const float* logits, const int32_t* targets, int64_t rows, int64_t V,
                             int32_t ignore_index, float z_loss, const float* row_weight = nullptr,
                             float* row_loss = nullptr);

// dlogits = scale * row_weight[r] * (softmax(logits) * (1 + 2 z_loss lse) - onehot(target))
// per kept row, zero on ignored rows, in one pass over the logits (row_weight null: 1).
// dlogits, logits: (rows, V), targets, lse, row_weight: (rows)
void cross_entropy_backward(float* dlogits, const float* logits, const int32_t* targets, const float* lse, int64_t rows,
                            int64_t V, int32_t ignore_index, float z_loss, float scale,
                            const float* row_weight = nullptr);

}  // namespace tessera::kernels::cpu
