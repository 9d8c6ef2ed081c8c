#pragma once
// The normalize-then-activate step both convolutional codecs (image and audio) put before
// every convolution but the first.
#include "nn/norm.h"

namespace tessera::codecs {

inline constexpr float kCodecNormEps = 1e-5f;  // every GroupNorm of the codecs (PyTorch's default)

// silu(norm(x)). x: (N, C, ...) -> the same shape
Tensor norm_silu(const nn::GroupNorm& norm, const Tensor& x);

}  // namespace tessera::codecs
