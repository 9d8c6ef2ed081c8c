#include "nn/norm.h"

#include "autograd/norm.h"

namespace tessera::nn {

RMSNorm::RMSNorm(int64_t dim, float eps_) : eps(eps_) {
  weight = register_parameter("weight", Tensor::full({dim}, 1.0f));
}

Tensor RMSNorm::forward(const Tensor& x) const { return rms_norm(x, weight, eps); }

LayerNorm::LayerNorm(int64_t dim, float eps_, bool with_bias) : eps(eps_) {
  weight = register_parameter("weight", Tensor::full({dim}, 1.0f));
  if (with_bias) bias = register_parameter("bias", Tensor::zeros({dim}));
}

Tensor LayerNorm::forward(const Tensor& x) const { return layer_norm(x, weight, bias, eps); }

}  // namespace tessera::nn
