#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace tessera {

// Rotary position embedding. x: (B, T, H, D), D even; position of row t is start + t.
// Rotate-half pairing: dimension i pairs with i + D/2 and turns by angle
// pos * theta^(-2i/D), i < D/2. The backward is the inverse rotation.
Tensor rope(const Tensor& x, int64_t start_position, float theta = 10000.0f);

}  // namespace tessera
