#pragma once
#include "core/tensor.h"

namespace tessera {

// a: (..., M, K), b: (..., K, N) with the same leading dims, or b: (K, N) shared by all.
// Returns (..., M, N).
Tensor matmul(const Tensor& a, const Tensor& b);

// x: (..., in), weight: (out, in), bias: (out) or undefined. Returns x @ weight^T + bias: (..., out).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace tessera
