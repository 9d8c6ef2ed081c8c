#pragma once
#include "core/rng.h"
#include "nn/conv.h"
#include "nn/norm.h"

namespace tessera::codecs {

// x + conv2(silu(norm2(conv1(silu(norm1(x)))))) over sequences: the image codec's
// pre-activation residual block (codecs/image/residual_block.h) with kernel-3 convolutions
// along time, for the audio codec's encoder and decoder. Children "norm1", "conv1",
// "norm2", "conv2".
class ResidualBlock1d : public nn::Module {
 public:
  ResidualBlock1d(int64_t channels, int64_t norm_groups, Rng& rng);
  Tensor forward(const Tensor& x) const;  // x: (N, C, T) -> (N, C, T)

 private:
  nn::GroupNorm norm1_;
  nn::Conv1d conv1_;
  nn::GroupNorm norm2_;
  nn::Conv1d conv2_;
};

}  // namespace tessera::codecs
