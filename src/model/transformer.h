#pragma once
// The one decoder-only transformer: token embedding -> N pre-norm blocks -> final
// RMSNorm -> logits over the whole vocabulary.
//
// Parameter names: embed.weight (V, C); blocks.<i>.* (see nn/transformer_block.h);
// norm.weight (C); head.weight (V, C), absent when the head is tied to the embedding.
#include <memory>
#include <vector>

#include "core/rng.h"
#include "io/fields.h"
#include "nn/embedding.h"
#include "nn/transformer_block.h"

namespace tessera::model {

struct TransformerConfig {
  int64_t vocab_size = 256;
  int64_t dim = 256;
  int64_t n_layers = 4;
  int64_t n_heads = 4;
  int64_t hidden = 688;
  bool qk_norm = true;
  bool tied_embeddings = false;
  float rope_theta = 10000.0f;
  float norm_eps = 1e-5f;
  float init_std = 0.02f;

  // Every field but vocab_size (which the vocabulary layout gives). The shape (dim, n_layers,
  // n_heads, hidden) is always required, the rest only when `all_required` (a model's
  // config.json states everything; a recipe may rely on defaults).
  void fields(Fields& f, bool all_required);
  nn::BlockConfig block() const;
};

// Parameter counts from the config alone, without building the weights (`tessera info`).
struct ParameterCounts {
  int64_t embedding = 0;  // embed.weight
  int64_t per_block = 0;  // each of the n_layers blocks
  int64_t final_norm = 0;
  int64_t head = 0;  // 0 when tied to the embedding
  int64_t total = 0;
};
ParameterCounts count_parameters(const TransformerConfig& config);

class KVCache;

class Transformer : public nn::Module {
 public:
  Transformer(const TransformerConfig& config, Rng& rng);

  // ids: i32 (B, T) -> logits (B, T, V); rows at positions start_position + t.
  // mask: undefined or u8 (B, T, T), ANDed with causal (nn::SelfAttention::forward).
  Tensor forward(const Tensor& ids, int64_t start_position = 0, const Tensor& mask = Tensor()) const;
  // Inference with a cache (under autograd::NoGradGuard): ids (B, T) are the positions
  // cache.length() + t; their keys and values join the cache, which grows by T. Logits
  // (B, T, V), or (B, 1, V) for the last position only when `last_only` (a prefill then
  // skips the head's work on every other position). mask: undefined or u8 (B, T,
  // cache.length() + T), which positions each new row may attend, ANDed with causal.
  Tensor forward(const Tensor& ids, KVCache& cache, bool last_only = false, const Tensor& mask = Tensor()) const;

  TransformerConfig config;
  nn::Embedding embed;
  std::vector<std::unique_ptr<nn::TransformerBlock>> blocks;
  nn::RMSNorm norm;
  std::unique_ptr<nn::Linear> head;  // absent when tied

 private:
  Tensor logits(const Tensor& h) const;  // (..., C) normed -> (..., V)
};

}  // namespace tessera::model
