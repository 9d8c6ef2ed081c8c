#pragma once
// The transformer's KV cache for generation: one nn::AttentionCache per block, all at the
// same length, preallocated to the context length for a batch of B sequences that advance
// together (B = 2 is classifier-free guidance's conditional and unconditional rows).
//
// Memory: 2 * n_layers * B * capacity * dim floats.
#include <cstdint>
#include <vector>

#include "model/transformer.h"
#include "nn/attention_cache.h"

namespace tessera::model {

class KVCache {
 public:
  KVCache(const TransformerConfig& config, int64_t batch, int64_t capacity);

  int64_t length() const { return length_; }  // positions filled, the next one's position
  int64_t capacity() const { return capacity_; }
  int64_t batch() const { return batch_; }
  void clear() { length_ = 0; }

  // Used by Transformer::forward: each block's cache, then the length grows by T.
  nn::AttentionCache& layer(int64_t i) { return layers_[static_cast<size_t>(i)]; }
  int64_t num_layers() const { return static_cast<int64_t>(layers_.size()); }
  void advance(int64_t tokens) { length_ += tokens; }

  // Every row of this cache takes the positions of `one` (a cache of one row, the same
  // layers and heads): one prefill of a shared prefix then serves many continuations.
  void fill_rows_from(const KVCache& one);

 private:
  int64_t batch_, capacity_, length_ = 0;
  std::vector<nn::AttentionCache> layers_;
};

}  // namespace tessera::model
