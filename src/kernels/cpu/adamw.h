#pragma once
#include <cstdint>

namespace tessera::kernels::cpu {

// One AdamW update of n parameters, as PyTorch's AdamW computes it:
//   p -= lr * weight_decay * p
//   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
//   p -= (lr / bias1) * m / (sqrt(v) / sqrt(bias2) + eps)
// with bias1 = 1 - beta1^t, bias2 = 1 - beta2^t.   p, g, m, v: (n)
void adamw_step(float* p, const float* g, float* m, float* v, int64_t n, float lr, float beta1, float beta2, float eps,
                float weight_decay, float bias1, float bias2);

}  // namespace tessera::kernels::cpu
