#pragma once
// Shared by the ops whose gradients must be summed back down to a broadcast operand's
// shape (elementwise arithmetic, reductions). Not an op: nothing is recorded.
#include "core/tensor.h"

namespace tessera {

// scale * full (times y, of full's shape, when y is defined), summed down to `shape`:
// full's shape with some dimensions set to 1, or fewer of them. Each output element is
// summed in one fixed order, whatever the thread count.
Tensor sum_to(const Tensor& full, const Shape& shape, float scale, const Tensor& y = Tensor());

}  // namespace tessera
