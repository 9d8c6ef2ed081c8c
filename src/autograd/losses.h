#pragma once
#include "core/tensor.h"

namespace tessera {

// Mean over all elements; pred and target of equal shapes; only pred gets a gradient
// unless target requires one too. Return shape ().
Tensor mse_loss(const Tensor& pred, const Tensor& target);
Tensor l1_loss(const Tensor& pred, const Tensor& target);

}  // namespace tessera
