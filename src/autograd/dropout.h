#pragma once
#include "core/rng.h"
#include "core/tensor.h"

namespace tessera {

// Zeroes each element with probability p and scales the rest by 1 / (1 - p) while
// training; the identity otherwise (or when p == 0). 0 <= p < 1.
Tensor dropout(const Tensor& x, float p, Rng& rng, bool training);

}  // namespace tessera
