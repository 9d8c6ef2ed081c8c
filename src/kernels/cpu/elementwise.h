#pragma once
// Elementwise kernels on contiguous f32 buffers of n elements.
#include <cstdint>

namespace tessera::kernels::cpu {

// y += x
void add_inplace(float* y, const float* x, int64_t n);

// x *= s
void scale_inplace(float* x, float s, int64_t n);

// out = s * x   x, out: (n)
void scale(float* out, const float* x, float s, int64_t n);

// out = s * (a - b)   a, b, out: (n)
void scaled_difference(float* out, const float* a, const float* b, float s, int64_t n);

// out = s * sign(a - b), with sign(0) = 0   a, b, out: (n)
void scaled_sign_of_difference(float* out, const float* a, const float* b, float s, int64_t n);

}  // namespace tessera::kernels::cpu
