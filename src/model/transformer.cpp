#include "model/transformer.h"

#include "autograd/layout.h"
#include "autograd/matmul.h"
#include "model/kv_cache.h"

namespace tessera::model {

void TransformerConfig::fields(Fields& f, bool all_required) {
  f.integer("dim", dim, {.min = 1, .required = true});
  f.integer("n_layers", n_layers, {.min = 1, .required = true});
  f.integer("n_heads", n_heads, {.min = 1, .required = true});
  f.check(dim % n_heads == 0, "n_heads", str("a divisor of dim (", dim, ")"), n_heads);
  f.check((dim / n_heads) % 2 == 0, "n_heads", "an even head dimension dim / n_heads (RoPE rotates pairs)", n_heads);
  f.integer("hidden", hidden, {.min = 1, .required = true});
  f.boolean("qk_norm", qk_norm, all_required);
  f.boolean("tied_embeddings", tied_embeddings, all_required);
  f.number("rope_theta", rope_theta, {.min = 0, .above_min = true, .required = all_required});
  f.number("norm_eps", norm_eps, {.min = 0, .above_min = true, .required = all_required});
  f.number("init_std", init_std, {.min = 0, .above_min = true, .required = all_required});
}

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

ParameterCounts count_parameters(const TransformerConfig& c) {
  ParameterCounts n;
  n.embedding = c.vocab_size * c.dim;
  const int64_t attention = 4 * c.dim * c.dim + (c.qk_norm ? 2 * (c.dim / c.n_heads) : 0);
  n.per_block = 2 * c.dim + attention + 3 * c.dim * c.hidden;
  n.final_norm = c.dim;
  n.head = c.tied_embeddings ? 0 : c.vocab_size * c.dim;
  n.total = n.embedding + c.n_layers * n.per_block + n.final_norm + n.head;
  return n;
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

Tensor Transformer::forward(const Tensor& ids, int64_t start_position, const Tensor& mask) const {
  TESSERA_CHECK(ids.ndim() == 2, "transformer: expected token ids (B, T), found ", shape_str(ids.shape()));
  Tensor h = embed.forward(ids);
  for (const auto& block : blocks) h = block->forward(h, start_position, nullptr, mask);
  h = norm.forward(h);
  return logits(h);
}

Tensor Transformer::forward(const Tensor& ids, KVCache& cache, bool last_only, const Tensor& mask) const {
  TESSERA_CHECK(ids.ndim() == 2 && ids.size(0) == cache.batch() && cache.num_layers() == config.n_layers,
                "transformer: expected token ids (", cache.batch(), ", T) for a cache of batch ", cache.batch(),
                " and ", config.n_layers, " layers, found ids ", shape_str(ids.shape()), " and a cache of ",
                cache.num_layers(), " layers");
  const int64_t start = cache.length(), T = ids.size(1);
  TESSERA_CHECK(start + T <= cache.capacity(), "transformer: ", T, " new tokens after ", start,
                " cached ones exceed the context length ", cache.capacity());
  Tensor h = embed.forward(ids);
  for (size_t i = 0; i < blocks.size(); ++i)
    h = blocks[i]->forward(h, start, &cache.layer(static_cast<int64_t>(i)), mask);
  cache.advance(T);
  if (last_only && T > 1) h = slice(h, 1, T - 1, T);
  return logits(norm.forward(h));
}

Tensor Transformer::logits(const Tensor& h) const { return head ? head->forward(h) : linear(h, embed.weight); }

}  // namespace tessera::model
