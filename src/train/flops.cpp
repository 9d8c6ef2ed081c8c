#include "train/flops.h"

namespace tessera::train {

int64_t matmul_parameters(const model::Transformer& transformer) {
  int64_t count = 0;
  for (const auto& [name, value] : transformer.named_parameters()) {
    if (value.ndim() == 2 && name != "embed.weight") count += value.numel();
  }
  const model::TransformerConfig& c = transformer.config;
  if (c.tied_embeddings) count += c.vocab_size * c.dim;
  return count;
}

double flops_per_token(const model::Transformer& transformer, int64_t context_length) {
  const model::TransformerConfig& c = transformer.config;
  return 6.0 * static_cast<double>(matmul_parameters(transformer)) +
         6.0 * static_cast<double>(c.n_layers * context_length * c.dim);
}

}  // namespace tessera::train
