#include "model/transformer.h"

#include "autograd/matmul.h"

namespace tessera::model {

nn::BlockConfig TransformerConfig::block() const {
  nn::BlockConfig b;
  b.dim = dim;
  b.n_heads = n_heads;
  b.hidden = hidden;
  b.n_layers = n_layers;
  b.qk_norm = qk_norm;
  b.rope_theta = rope_theta;
  b.norm_eps = norm_eps;
  b.init_std = init_std;
  return b;
}

Transformer::Transformer(const TransformerConfig& c, Rng& rng)
    : config(c), embed(c.vocab_size, c.dim, c.init_std, rng), norm(c.dim, c.norm_eps) {
  TESSERA_CHECK(c.vocab_size > 0 && c.dim > 0 && c.n_layers >= 0 && c.hidden > 0,
                "transformer config: vocab_size, dim and hidden must be positive, n_layers non-negative");
  register_module("embed", embed);
  const nn::BlockConfig block_config = c.block();
  for (int64_t i = 0; i < c.n_layers; ++i) {
    blocks.push_back(std::make_unique<nn::TransformerBlock>(block_config, rng));
    register_module("blocks." + std::to_string(i), *blocks.back());
  }
  register_module("norm", norm);
  if (!c.tied_embeddings) {
    head = std::make_unique<nn::Linear>(c.dim, c.vocab_size, false, c.init_std, rng);
    register_module("head", *head);
  }
}

Tensor Transformer::forward(const Tensor& ids, int64_t start_position) const {
  TESSERA_CHECK(ids.ndim() == 2, "transformer: expected token ids (B, T), found ", shape_str(ids.shape()));
  Tensor h = embed.forward(ids);
  for (const auto& block : blocks) h = block->forward(h, start_position);
  h = norm.forward(h);
  return head ? head->forward(h) : linear(h, embed.weight);
}

}  // namespace tessera::model
