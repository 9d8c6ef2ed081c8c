#include "nn/attention_cache.h"

#include <cstring>

#include "autograd/engine.h"

namespace tessera::nn {

AttentionCache::AttentionCache(int64_t batch, int64_t capacity, int64_t heads, int64_t head_dim)
    : k(Tensor::empty({batch, capacity, heads, head_dim})), v(Tensor::empty({batch, capacity, heads, head_dim})) {}

namespace {

// dst: (B, capacity, H, D) <- src (B, T, H, D) at positions [start, start + T).
void write_rows(const Tensor& dst, const Tensor& src, int64_t start) {
  const int64_t B = src.size(0), T = src.size(1), row = src.size(2) * src.size(3), capacity = dst.size(1);
  const float* from = src.data<float>();
  float* to = dst.data<float>();
  for (int64_t b = 0; b < B; ++b) {
    std::memcpy(to + (b * capacity + start) * row, from + b * T * row, static_cast<size_t>(T * row) * sizeof(float));
  }
}

// The first n positions of each batch entry of cache (B, capacity, H, D) -> (B, n, H, D).
Tensor first_positions(const Tensor& cache, int64_t n) {
  const int64_t B = cache.size(0), capacity = cache.size(1), H = cache.size(2), D = cache.size(3);
  if (B == 1) return cache.view({capacity, H, D}).leading(n).view({1, n, H, D});
  Tensor out = Tensor::empty({B, n, H, D});
  const int64_t row = H * D;
  for (int64_t b = 0; b < B; ++b) {
    std::memcpy(out.data<float>() + b * n * row, cache.data<float>() + b * capacity * row,
                static_cast<size_t>(n * row) * sizeof(float));
  }
  return out;
}

}  // namespace

std::pair<Tensor, Tensor> AttentionCache::append(const Tensor& new_k, const Tensor& new_v, int64_t start) {
  // The cache is overwritten in place, which a recorded backward would not survive.
  TESSERA_CHECK(!autograd::grad_enabled(), "KV cache: inference only; run it under autograd::NoGradGuard");
  const Shape& s = new_k.shape();
  TESSERA_CHECK(new_k.ndim() == 4 && new_v.shape() == s && s[0] == k.size(0) && s[2] == k.size(2) && s[3] == k.size(3),
                "KV cache: expected new keys and values (", k.size(0), ", T, ", k.size(2), ", ", k.size(3), "), found ",
                shape_str(s), " and ", shape_str(new_v.shape()));
  const int64_t end = start + s[1];
  TESSERA_CHECK(start >= 0 && end <= k.size(1), "KV cache: positions [", start, ", ", end,
                ") do not fit its capacity of ", k.size(1), " (the context length)");
  write_rows(k, new_k, start);
  write_rows(v, new_v, start);
  return {first_positions(k, end), first_positions(v, end)};
}

}  // namespace tessera::nn
