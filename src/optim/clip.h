#pragma once
#include <vector>

#include "core/tensor.h"

namespace tessera::optim {

// Scales all gradients together so their global L2 norm is at most max_norm (no-op when
// max_norm <= 0). Returns the norm before clipping; tensors without a gradient count as 0.
float clip_grad_norm(const std::vector<Tensor>& params, float max_norm);

}  // namespace tessera::optim
