#pragma once
#include "codecs/norm_silu.h"
#include "core/rng.h"
#include "nn/conv.h"
#include "nn/norm.h"

namespace tessera::codecs {

// x + conv2(silu(norm2(conv1(silu(norm1(x)))))): the pre-activation residual block of the
// image codec's encoder and decoder (3x3 convolutions, width unchanged). Children "norm1",
// "conv1", "norm2", "conv2".
class ResidualBlock : public nn::Module {
 public:
  ResidualBlock(int64_t channels, int64_t norm_groups, Rng& rng);
  Tensor forward(const Tensor& x) const;  // x: (N, C, H, W) -> (N, C, H, W)

 private:
  nn::GroupNorm norm1_;
  nn::Conv2d conv1_;
  nn::GroupNorm norm2_;
  nn::Conv2d conv2_;
};

}  // namespace tessera::codecs
