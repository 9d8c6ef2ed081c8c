#pragma once
// Reductions on contiguous f32 buffers.
#include <cstdint>

namespace tessera::kernels::cpu {

// out[j] = sum_r x[r, j]   x: (rows, cols), out: (cols)
void sum_rows(float* out, const float* x, int64_t rows, int64_t cols);

// sum of squares of x, accumulated in double. x: (n)
double sum_of_squares(const float* x, int64_t n);

}  // namespace tessera::kernels::cpu
