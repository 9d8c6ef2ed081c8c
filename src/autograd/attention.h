#pragma once
#include "core/tensor.h"

namespace tessera {

// Fused scaled-dot-product attention, softmax(q k^T * scale [+ mask]) v, tiled so that
// memory per head is bounded by the tiles, never a Tq x Tk score matrix, in the forward
// and in the backward (which recomputes scores from the saved log-sum-exp).
//
// q: (B, Tq, H, D), k, v: (B, Tk, H, D) -> (B, Tq, H, D): the layout a linear layer's
// output has after a free reshape, so no transpose is needed around it.
// causal: query i sits at position Tk - Tq + i and sees keys at positions <= its own
// (bottom-right aligned: with Tq = Tk it is the usual triangle, with Tq = 1 one new token
// sees the whole cache).
// mask: undefined, or u8 (Tq, Tk) / (B, Tq, Tk); nonzero means may attend. Combined with
// causal by AND. A query that may attend to no key outputs zeros (and passes no gradient).
// scale: 0 means 1 / sqrt(D).
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, bool causal,
                                    const Tensor& mask = Tensor(), float scale = 0.0f);

}  // namespace tessera
