#pragma once
// The work of one trained token, for MFU (model FLOPs utilization, PaLM appendix B):
//
//   FLOPs per token = 6 x N + 6 x n_layers x context x dim
//
// N counts the parameters used in matrix products: every projection of every block and the
// output head (the embedding matrix again when the head is tied); the embedding lookup is a
// gather, not a product, so the untied embedding matrix is excluded. 6 = 2 (multiply-add)
// x 3 (forward, and the backward's two products). PaLM counts attention's score and value
// products over all context^2 pairs, 12 x n_layers x context x dim; a causal model only
// needs the unmasked half, which is all our fused kernel computes, so we count 6.
#include <cstdint>

#include "model/transformer.h"

namespace tessera::train {

int64_t matmul_parameters(const model::Transformer& transformer);
double flops_per_token(const model::Transformer& transformer, int64_t context_length);

}  // namespace tessera::train
