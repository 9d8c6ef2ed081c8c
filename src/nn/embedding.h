#pragma once
#include "core/rng.h"
#include "nn/module.h"

namespace tessera::nn {

// Token embedding. Parameter "weight" (V, C), init N(0, init_std^2).
class Embedding : public Module {
 public:
  Embedding(int64_t vocab_size, int64_t dim, float init_std, Rng& rng);
  Tensor forward(const Tensor& ids) const;  // ids: i32 (...) -> (..., C)

  Tensor weight;
};

}  // namespace tessera::nn
