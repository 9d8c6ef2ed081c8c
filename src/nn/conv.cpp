#include "nn/conv.h"

#include <cmath>

#include "autograd/conv.h"

namespace tessera::nn {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride_, int64_t padding_, Rng& rng)
    : stride(stride_), padding(padding_) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(in_channels * kernel * kernel));
  weight = register_parameter("weight", rand_uniform({out_channels, in_channels, kernel, kernel}, rng, -bound, bound));
  bias = register_parameter("bias", rand_uniform({out_channels}, rng, -bound, bound));
}

Tensor Conv2d::forward(const Tensor& x) const { return conv2d(x, weight, bias, stride, padding); }

Conv1d::Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride_, int64_t padding_, Rng& rng)
    : stride(stride_), padding(padding_) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(in_channels * kernel));
  weight = register_parameter("weight", rand_uniform({out_channels, in_channels, kernel}, rng, -bound, bound));
  bias = register_parameter("bias", rand_uniform({out_channels}, rng, -bound, bound));
}

Tensor Conv1d::forward(const Tensor& x) const { return conv1d(x, weight, bias, stride, padding); }

}  // namespace tessera::nn
