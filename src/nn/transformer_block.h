#pragma once
// The pre-norm transformer block the one model stacks:
//   x = x + attn(attn_norm(x));   x = x + mlp(mlp_norm(x))
// attention: multi-head, RoPE, optional QK-norm (an RMSNorm over each head's queries and
// keys, which Chameleon needed to keep mixed-modal training stable); MLP: SwiGLU.
//
// Parameter names (stable; they are checkpoint keys):
//   attn_norm.weight (C)        attn.wq.weight, attn.wk.weight, attn.wv.weight (C, C)
//   attn.wo.weight (C, C)       attn.q_norm.weight, attn.k_norm.weight (D)  [qk_norm]
//   mlp_norm.weight (C)         mlp.gate.weight, mlp.up.weight (F, C)   mlp.down.weight (C, F)
// Init: every projection N(0, init_std^2), except the two that write into the residual
// stream (attn.wo, mlp.down), N(0, (init_std / sqrt(2 * n_layers))^2) as in GPT-2, so the
// residual's variance does not grow with depth. Norm gains start at one.
#include "core/rng.h"
#include "nn/attention_cache.h"
#include "nn/linear.h"
#include "nn/norm.h"

namespace tessera::nn {

struct BlockConfig {
  int64_t dim = 256;     // C
  int64_t n_heads = 4;   // H; head dim D = C / H
  int64_t hidden = 688;  // F, the SwiGLU width
  int64_t n_layers = 1;  // of the whole stack, for the residual init scale
  bool qk_norm = true;
  float rope_theta = 10000.0f;
  float norm_eps = 1e-5f;
  float init_std = 0.02f;
};

class SelfAttention : public Module {
 public:
  SelfAttention(const BlockConfig& config, Rng& rng);
  // x: (B, T, C); rows are at positions start_position + t; causal. With a cache, the
  // rows' keys and values are stored in it at their positions and the rows attend to
  // every cached position before them too (inference only).
  // mask: undefined, or u8 (B, T, Tk) with Tk the keys attended (start_position + T with a
  // cache, T without), nonzero = may attend, ANDed with causal: packed examples that must
  // not see each other, or rows of a batch padded on the left.
  Tensor forward(const Tensor& x, int64_t start_position, AttentionCache* cache = nullptr,
                 const Tensor& mask = Tensor()) const;

  BlockConfig config;
  Linear wq, wk, wv, wo;
  std::unique_ptr<RMSNorm> q_norm, k_norm;  // present with qk_norm
};

class SwiGLU : public Module {
 public:
  SwiGLU(const BlockConfig& config, Rng& rng);
  Tensor forward(const Tensor& x) const;  // x: (..., C) -> (..., C)

  Linear gate, up, down;
};

class TransformerBlock : public Module {
 public:
  TransformerBlock(const BlockConfig& config, Rng& rng);
  // x: (B, T, C); cache and mask as in SelfAttention::forward.
  Tensor forward(const Tensor& x, int64_t start_position = 0, AttentionCache* cache = nullptr,
                 const Tensor& mask = Tensor()) const;

  RMSNorm attn_norm;
  SelfAttention attn;
  RMSNorm mlp_norm;
  SwiGLU mlp;
};

}  // namespace tessera::nn
