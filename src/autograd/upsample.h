#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tessera {

// Nearest-neighbour upsampling of the last two dimensions by an integer factor (PyTorch's
// F.interpolate(x, scale_factor=scale, mode='nearest')). x: (N, C, H, W) -> (N, C, H * scale, W * scale)
Tensor upsample_nearest2d(const Tensor& x, int64_t scale);

}  // namespace tessera
