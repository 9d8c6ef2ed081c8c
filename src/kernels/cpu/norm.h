#pragma once
// RMSNorm and LayerNorm over the last dimension C. The forward saves per-row statistics;
// the backward makes dx in one pass per row and the parameter gradients from per-block
// partial sums added in a fixed order, so they do not depend on the thread count.
// A null weight stands for ones and a null bias for zeros.
#include <cstdint>

namespace tessera::kernels::cpu {

// y = x * rstd * weight, rstd = 1 / sqrt(mean(x^2) + eps).
// x, y: (rows, C), weight: (C) or null, rstd: (rows)
void rms_norm_forward(float* y, float* rstd, const float* x, const float* weight, int64_t rows, int64_t C, float eps);
// dx: (rows, C) or null, dweight: (C) or null; dy, x: (rows, C), weight: (C) or null, rstd: (rows)
void rms_norm_backward(float* dx, float* dweight, const float* dy, const float* x, const float* weight,
                       const float* rstd, int64_t rows, int64_t C);

// y = (x - mean) * rstd * weight + bias, rstd = 1 / sqrt(var + eps) (biased variance).
// x, y: (rows, C), weight, bias: (C) or null, mean, rstd: (rows)
void layer_norm_forward(float* y, float* mean, float* rstd, const float* x, const float* weight, const float* bias,
                        int64_t rows, int64_t C, float eps);
// dx: (rows, C) or null, dweight, dbias: (C) or null; dy, x: (rows, C), weight: (C) or null,
// mean, rstd: (rows)
void layer_norm_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* weight,
                         const float* mean, const float* rstd, int64_t rows, int64_t C);

}  // namespace tessera::kernels::cpu
