#pragma once
// What the ops share: argument checks, with messages that name the op and what it found,
// and the optional buffers of parameters that may be absent or need no gradient.
#include <initializer_list>

#include "core/tensor.h"

namespace tessera {

// Every tensor is defined, f32 and on the CPU (the only device with kernels so far).
void check_float_op(const char* op, std::initializer_list<Tensor> tensors);

// Both shapes are equal; the message names the op and both shapes.
void check_same_shape(const char* op, const Tensor& a, const Tensor& b);

// An optional f32 tensor's data, or null when it is undefined (kernels read null as absent).
float* data_or_null(const Tensor& t);

// A gradient buffer for `t` when its gradient is wanted, else undefined.
Tensor grad_buffer(const Tensor& t);

}  // namespace tessera
