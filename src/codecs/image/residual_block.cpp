#include "codecs/image/residual_block.h"

#include "autograd/elementwise.h"

namespace tessera::codecs {

ResidualBlock::ResidualBlock(int64_t channels, int64_t norm_groups, Rng& rng)
    : norm1_(norm_groups, channels, kCodecNormEps),
      conv1_(channels, channels, 3, 1, 1, rng),
      norm2_(norm_groups, channels, kCodecNormEps),
      conv2_(channels, channels, 3, 1, 1, rng) {
  register_module("norm1", norm1_);
  register_module("conv1", conv1_);
  register_module("norm2", norm2_);
  register_module("conv2", conv2_);
}

Tensor ResidualBlock::forward(const Tensor& x) const {
  return x + conv2_.forward(norm_silu(norm2_, conv1_.forward(norm_silu(norm1_, x))));
}

}  // namespace tessera::codecs
