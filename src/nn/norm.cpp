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

GroupNorm::GroupNorm(int64_t groups_, int64_t channels, float eps_) : groups(groups_), eps(eps_) {
  TESSERA_CHECK(groups > 0 && channels % groups == 0, "GroupNorm: ", groups, " groups do not divide ", channels,
                " channels");
  weight = register_parameter("weight", Tensor::full({channels}, 1.0f));
  bias = register_parameter("bias", Tensor::zeros({channels}));
}

Tensor GroupNorm::forward(const Tensor& x) const { return group_norm(x, groups, weight, bias, eps); }

}  // namespace tessera::nn
