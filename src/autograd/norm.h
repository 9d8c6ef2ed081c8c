#pragma once
#include "core/tensor.h"

namespace tessera {

// Over the last dimension C. x: (..., C), weight: (C) or undefined (no gain).
// rms_norm: x / sqrt(mean(x^2) + eps) * weight
Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps);
// layer_norm: (x - mean) / sqrt(var + eps) * weight + bias; bias: (C) or undefined.
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps);

// Over channel groups of channels-first tensors (PyTorch's F.group_norm): the C channels
// fall into `groups` groups of C / groups, each normalized per sample over its channels and
// positions, then y = xhat * weight[c] + bias[c]. x: (N, C, ...), weight, bias: (C) or undefined.
Tensor group_norm(const Tensor& x, int64_t groups, const Tensor& weight, const Tensor& bias, float eps);

}  // namespace tessera
