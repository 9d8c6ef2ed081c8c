#pragma once
// Fused scaled-dot-product attention on the CPU, flash-attention style: scores exist
// only one tile at a time, the forward keeps a running (online) softmax per query and
// saves the log-sum-exp of each query's scores, and the backward recomputes the score
// tiles from it. Tile products are ours (tile_gemm.h), never BLAS, since they run inside
// the parallel region.
#include <cstdint>

namespace tessera::kernels::cpu {

struct AttentionParams {
  int64_t batch = 0, q_len = 0, kv_len = 0, heads = 0, head_dim = 0;
  // Query i sits at position kv_len - q_len + i and sees keys at positions <= its own.
  bool causal = false;
  float scale = 1.0f;  // multiplies q . k; already resolved (not 0)
  // mask: (q_len, kv_len) per batch entry, nonzero = may attend, ANDed with causal;
  // null for none. Entry b's mask starts at mask + b * mask_batch_stride (0: shared).
  const uint8_t* mask = nullptr;
  int64_t mask_batch_stride = 0;
};

// q: (B, Tq, H, D), k, v: (B, Tk, H, D), out: (B, Tq, H, D).
// lse: (B, H, Tq) or null: per query, log2 of the sum over its allowed keys of
// 2^(q . k * scale * log2(e)) (+inf where no key is allowed), which the backward needs.
// A query allowed no key outputs zeros.
void attention_forward(const AttentionParams& p, const float* q, const float* k, const float* v, float* out,
                       float* lse);

// The gradients of sum(out * dout). out, dout: (B, Tq, H, D), lse: (B, H, Tq) from
// attention_forward; dq: (B, Tq, H, D), dk, dv: (B, Tk, H, D), all three overwritten.
void attention_backward(const AttentionParams& p, const float* q, const float* k, const float* v, const float* out,
                        const float* lse, const float* dout, float* dq, float* dk, float* dv);

}  // namespace tessera::kernels::cpu
