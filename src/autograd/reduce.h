#pragma once
#include "core/tensor.h"

namespace tessera {

Tensor sum(const Tensor& x);   // every element -> shape ()
Tensor mean(const Tensor& x);  // every element -> shape ()
// Over the last dimension: x: (..., C) -> (...) or (..., 1) with keepdim.
Tensor sum_last_dim(const Tensor& x, bool keepdim = false);
Tensor mean_last_dim(const Tensor& x, bool keepdim = false);

}  // namespace tessera
