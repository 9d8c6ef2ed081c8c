#pragma once
// Elementwise kernels on contiguous f32 buffers of n elements.
#include <cstdint>

namespace tessera::kernels::cpu {

// y += x
void add_inplace(float* y, const float* x, int64_t n);

// x *= s
void scale_inplace(float* x, float s, int64_t n);

}  // namespace tessera::kernels::cpu
