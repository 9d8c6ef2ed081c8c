#pragma once
// The one decoder-only transformer: token embedding -> N pre-norm blocks -> final
// RMSNorm -> logits over the whole vocabulary.
//
// Parameter names: embed.weight (V, C); blocks.<i>.* (see nn/transformer_block.h);
// norm.weight (C); head.weight (V, C), absent when the head is tied to the embedding.
#include <memory>
#include <vector>

#include "core/rng.h"
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

  nn::BlockConfig block() const;
};

class Transformer : public nn::Module {
 public:
  Transformer(const TransformerConfig& config, Rng& rng);

  // ids: i32 (B, T) -> logits (B, T, V); rows at positions start_position + t.
  Tensor forward(const Tensor& ids, int64_t start_position = 0) const;

  TransformerConfig config;
  nn::Embedding embed;
  std::vector<std::unique_ptr<nn::TransformerBlock>> blocks;
  nn::RMSNorm norm;
  std::unique_ptr<nn::Linear> head;  // absent when tied
};

}  // namespace tessera::model
