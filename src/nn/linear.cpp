#include "nn/linear.h"

#include "autograd/matmul.h"

namespace tessera::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias, float init_std, Rng& rng) {
  weight = register_parameter("weight", randn({out_features, in_features}, rng, init_std));
  if (with_bias) bias = register_parameter("bias", Tensor::zeros({out_features}));
}

Tensor Linear::forward(const Tensor& x) const { return linear(x, weight, bias); }

}  // namespace tessera::nn
