#include "kernels/cpu/reduce.h"

#include <cmath>

#include "kernels/cpu/broadcast.h"

namespace tessera::kernels::cpu {

void sum_rows(float* out, const float* x, int64_t rows, int64_t cols) {
  // The broadcast reduction already sums leading rows in a fixed order at any thread count.
  sum_to_shape(plan_reduce({rows, cols}, {cols}), x, nullptr, 1.0f, out);
}

double sum_of_squares(const float* x, int64_t n) {
  return sum_in_blocks(n, [=](int64_t i0, int64_t i1) {
    const float* p = x + i0;
    double s = 0;  // double within the block too: the gradient norm feeds clipping and logs
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < i1 - i0; ++i) s += static_cast<double>(p[i]) * p[i];
    return s;
  });
}

double sum_squared_difference(const float* a, const float* b, int64_t n) {
  return sum_in_blocks(n, [=](int64_t i0, int64_t i1) {
    const float *pa = a + i0, *pb = b + i0;
    float s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < i1 - i0; ++i) s += (pa[i] - pb[i]) * (pa[i] - pb[i]);
    return static_cast<double>(s);
  });
}

double sum_abs_difference(const float* a, const float* b, int64_t n) {
  return sum_in_blocks(n, [=](int64_t i0, int64_t i1) {
    const float *pa = a + i0, *pb = b + i0;
    float s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < i1 - i0; ++i) s += std::fabs(pa[i] - pb[i]);
    return static_cast<double>(s);
  });
}

}  // namespace tessera::kernels::cpu
