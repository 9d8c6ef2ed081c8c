#pragma once
#include "core/tensor.h"

namespace tessera {

// weight: (V, C), ids: i32 (...) with 0 <= id < V -> (..., C). The backward scatters into
// weight's gradient (rows of repeated ids add up). An id out of range raises an Error
// naming the id, its position and V.
Tensor embedding(const Tensor& weight, const Tensor& ids);

}  // namespace tessera
