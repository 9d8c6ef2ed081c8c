#pragma once
// Embedding lookup and its gradient.
#include <cstdint>

namespace tessera::kernels::cpu {

// The position of the first id outside [0, vocab), or -1 when every id is valid.   ids: (n)
int64_t first_invalid_id(const int32_t* ids, int64_t n, int64_t vocab);

// out[i, :] = weight[ids[i], :]; ids must be valid.   weight: (V, C), ids: (n), out: (n, C)
void embedding_forward(float* out, const float* weight, const int32_t* ids, int64_t n, int64_t channels);

// grad_weight = 0, then grad_weight[ids[i], :] += grad_out[i, :] for i = 0..n-1 in order.
// Threads split the channels, so every sum runs in the same order whatever the thread count.
// grad_out: (n, C), ids: (n), grad_weight: (V, C)
void embedding_backward(float* grad_weight, const float* grad_out, const int32_t* ids, int64_t n, int64_t vocab,
                        int64_t channels);

}  // namespace tessera::kernels::cpu
