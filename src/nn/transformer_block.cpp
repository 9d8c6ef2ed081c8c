#include "nn/transformer_block.h"

#include <cmath>
#include <tuple>

#include "autograd/activation.h"
#include "autograd/attention.h"
#include "autograd/elementwise.h"
#include "autograd/layout.h"
#include "autograd/rope.h"

namespace tessera::nn {

namespace {
float residual_std(const BlockConfig& c) { return c.init_std / std::sqrt(2.0f * static_cast<float>(c.n_layers)); }
}  // namespace

SelfAttention::SelfAttention(const BlockConfig& c, Rng& rng)
    : config(c),
      wq(c.dim, c.dim, false, c.init_std, rng),
      wk(c.dim, c.dim, false, c.init_std, rng),
      wv(c.dim, c.dim, false, c.init_std, rng),
      wo(c.dim, c.dim, false, residual_std(c), rng) {
  TESSERA_CHECK(c.n_heads > 0 && c.dim % c.n_heads == 0, "attention: dim ", c.dim, " is not divisible by n_heads ",
                c.n_heads);
  register_module("wq", wq);
  register_module("wk", wk);
  register_module("wv", wv);
  register_module("wo", wo);
  if (c.qk_norm) {
    q_norm = std::make_unique<RMSNorm>(c.dim / c.n_heads, c.norm_eps);
    k_norm = std::make_unique<RMSNorm>(c.dim / c.n_heads, c.norm_eps);
    register_module("q_norm", *q_norm);
    register_module("k_norm", *k_norm);
  }
}

Tensor SelfAttention::forward(const Tensor& x, int64_t start_position, AttentionCache* cache,
                              const Tensor& mask) const {
  TESSERA_CHECK(x.ndim() == 3 && x.size(2) == config.dim, "attention: expected input (B, T, ", config.dim, "), found ",
                shape_str(x.shape()));
  const int64_t B = x.size(0), T = x.size(1), H = config.n_heads, D = config.dim / H;
  Tensor q = reshape(wq.forward(x), {B, T, H, D});
  Tensor k = reshape(wk.forward(x), {B, T, H, D});
  Tensor v = reshape(wv.forward(x), {B, T, H, D});
  if (q_norm) {
    q = q_norm->forward(q);
    k = k_norm->forward(k);
  }
  q = rope(q, start_position, config.rope_theta);
  k = rope(k, start_position, config.rope_theta);
  // Attention is bottom-right causal, so T queries against the start + T cached keys see
  // exactly the positions up to their own.
  if (cache != nullptr) std::tie(k, v) = cache->append(k, v, start_position);
  Tensor y = scaled_dot_product_attention(q, k, v, /*causal=*/true, mask);
  return wo.forward(reshape(y, {B, T, config.dim}));
}

SwiGLU::SwiGLU(const BlockConfig& c, Rng& rng)
    : gate(c.dim, c.hidden, false, c.init_std, rng),
      up(c.dim, c.hidden, false, c.init_std, rng),
      down(c.hidden, c.dim, false, residual_std(c), rng) {
  register_module("gate", gate);
  register_module("up", up);
  register_module("down", down);
}

Tensor SwiGLU::forward(const Tensor& x) const { return down.forward(swiglu(gate.forward(x), up.forward(x))); }

TransformerBlock::TransformerBlock(const BlockConfig& c, Rng& rng)
    : attn_norm(c.dim, c.norm_eps), attn(c, rng), mlp_norm(c.dim, c.norm_eps), mlp(c, rng) {
  register_module("attn_norm", attn_norm);
  register_module("attn", attn);
  register_module("mlp_norm", mlp_norm);
  register_module("mlp", mlp);
}

Tensor TransformerBlock::forward(const Tensor& x, int64_t start_position, AttentionCache* cache,
                                 const Tensor& mask) const {
  Tensor h = x + attn.forward(attn_norm.forward(x), start_position, cache, mask);
  return h + mlp.forward(mlp_norm.forward(h));
}

}  // namespace tessera::nn
