#include "model/kv_cache.h"

namespace tessera::model {

KVCache::KVCache(const TransformerConfig& config, int64_t batch, int64_t capacity)
    : batch_(batch), capacity_(capacity) {
  TESSERA_CHECK(batch > 0 && capacity > 0, "KV cache: expected a positive batch and capacity, found batch ", batch,
                " and capacity ", capacity);
  layers_.reserve(static_cast<size_t>(config.n_layers));
  for (int64_t i = 0; i < config.n_layers; ++i) {
    layers_.emplace_back(batch, capacity, config.n_heads, config.dim / config.n_heads);
  }
}

}  // namespace tessera::model
