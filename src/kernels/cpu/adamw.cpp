#include "kernels/cpu/adamw.h"

#include <cmath>

namespace tessera::kernels::cpu {

void adamw_step(float* p, const float* g, float* m, float* v, int64_t n, float lr, float beta1, float beta2, float eps,
                float weight_decay, float bias1, float bias2) {
  const float decay = 1.0f - lr * weight_decay;
  const float step = lr / bias1;
  const float inv_sqrt_bias2 = 1.0f / std::sqrt(bias2);
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    p[i] *= decay;
    m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
    v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
    p[i] -= step * m[i] / (std::sqrt(v[i]) * inv_sqrt_bias2 + eps);
  }
}

}  // namespace tessera::kernels::cpu
