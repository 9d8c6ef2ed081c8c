#pragma once
// Shape and layout ops. Tensors stay contiguous: reshape is free (a view), everything that
// moves elements (transpose, permute, concat, slice) is an explicit copy.
#include <vector>

#include "core/tensor.h"

namespace tessera {

Tensor reshape(const Tensor& x, const Shape& shape);  // one dimension may be -1
Tensor transpose(const Tensor& x, int axis0, int axis1);
Tensor permute(const Tensor& x, const std::vector<int>& axes);  // out.shape[i] = x.shape[axes[i]]
// All shapes equal except along `axis`.
Tensor concat(const std::vector<Tensor>& xs, int axis);
// Elements [start, end) along `axis`; 0 <= start <= end <= size.
Tensor slice(const Tensor& x, int axis, int64_t start, int64_t end);

}  // namespace tessera
