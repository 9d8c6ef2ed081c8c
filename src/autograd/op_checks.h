#pragma once
// Argument checks shared by the ops, with messages that name the op and what it found.
#include <initializer_list>

#include "core/tensor.h"

namespace tessera {

// Every tensor is defined, f32 and on the CPU (the only device with kernels so far).
void check_float_op(const char* op, std::initializer_list<Tensor> tensors);

// Both shapes are equal; the message names the op and both shapes.
void check_same_shape(const char* op, const Tensor& a, const Tensor& b);

}  // namespace tessera
