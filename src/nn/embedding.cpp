#include "nn/embedding.h"

#include "autograd/embedding.h"

namespace tessera::nn {

Embedding::Embedding(int64_t vocab_size, int64_t dim, float init_std, Rng& rng) {
  weight = register_parameter("weight", randn({vocab_size, dim}, rng, init_std));
}

Tensor Embedding::forward(const Tensor& ids) const { return embedding(weight, ids); }

}  // namespace tessera::nn
