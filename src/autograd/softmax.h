#pragma once
#include "core/tensor.h"

namespace tessera {

// Over the last dimension. x: (..., C) -> (..., C)
Tensor softmax(const Tensor& x);
Tensor log_softmax(const Tensor& x);

}  // namespace tessera
