#include "kernels/cpu/reduce.h"

#include <cmath>

namespace tessera::kernels::cpu {

void sum_rows(float* out, const float* x, int64_t rows, int64_t cols) {
  // Columns split across threads; each thread walks all rows of its columns in order,
  // so the sum is deterministic whatever the thread count.
#pragma omp parallel for schedule(static) if (rows * cols > 65536)
  for (int64_t j0 = 0; j0 < cols; j0 += 256) {
    const int64_t j1 = j0 + 256 < cols ? j0 + 256 : cols;
    for (int64_t j = j0; j < j1; ++j) out[j] = 0.0f;
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = x + r * cols;
#pragma omp simd
      for (int64_t j = j0; j < j1; ++j) out[j] += row[j];
    }
  }
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
