#include "kernels/cpu/elementwise.h"

namespace tessera::kernels::cpu {

void add_inplace(float* y, const float* x, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

void scale_inplace(float* x, float s, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) x[i] *= s;
}

void scale(float* out, const float* x, float s, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) out[i] = s * x[i];
}

void scaled_difference(float* out, const float* a, const float* b, float s, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) out[i] = s * (a[i] - b[i]);
}

void scaled_sign_of_difference(float* out, const float* a, const float* b, float s, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) {
    const float d = a[i] - b[i];
    out[i] = d > 0 ? s : (d < 0 ? -s : 0.0f);
  }
}

}  // namespace tessera::kernels::cpu
