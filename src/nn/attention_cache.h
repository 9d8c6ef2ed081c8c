#pragma once
// One attention layer's share of a KV cache: the keys and values (after QK-norm and RoPE)
// of every position generated so far, so a decoding step computes K and V for its new
// tokens only. Preallocated to the context length: appending never reallocates.
#include <cstdint>
#include <utility>

#include "core/tensor.h"

namespace tessera::nn {

struct AttentionCache {
  AttentionCache(int64_t batch, int64_t capacity, int64_t heads, int64_t head_dim);

  // Writes k, v: (B, T, H, D) at positions [start, start + T) and returns the keys and
  // values of positions [0, start + T) as (B, start + T, H, D). With B == 1 these are views
  // of the cache (free); with B > 1 the rows of each batch entry are not contiguous in it,
  // so they are copied out (the same memory traffic as the attention that reads them).
  std::pair<Tensor, Tensor> append(const Tensor& k, const Tensor& v, int64_t start);

  Tensor k, v;  // (B, capacity, H, D); positions past the owner's length hold stale data
};

}  // namespace tessera::nn
