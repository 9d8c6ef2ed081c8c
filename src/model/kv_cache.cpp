#include "model/kv_cache.h"

#include <cstring>

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

void KVCache::fill_rows_from(const KVCache& one) {
  TESSERA_CHECK(one.batch_ == 1 && one.num_layers() == num_layers() && one.length_ <= capacity_,
                "KV cache: cannot fill ", batch_, " rows of capacity ", capacity_, " from a cache of ", one.batch_,
                " rows and ", one.length_, " positions");
  for (size_t l = 0; l < layers_.size(); ++l) {
    for (Tensor nn::AttentionCache::*part : {&nn::AttentionCache::k, &nn::AttentionCache::v}) {
      const Tensor& from = one.layers_[l].*part;
      Tensor& to = layers_[l].*part;
      TESSERA_CHECK(from.size(2) == to.size(2) && from.size(3) == to.size(3), "KV cache: layer ", l,
                    " has another head shape");
      const int64_t row = from.size(2) * from.size(3), capacity = to.size(1);
      for (int64_t b = 0; b < batch_; ++b) {
        std::memcpy(to.data<float>() + b * capacity * row, from.data<float>(),
                    static_cast<size_t>(one.length_ * row) * sizeof(float));
      }
    }
  }
  length_ = one.length_;
}

}  // namespace tessera::model
