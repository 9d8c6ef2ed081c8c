#pragma once
// GroupNorm over channels-first tensors (N, C, S), S the product of the spatial sizes: the
// C channels fall into G groups of C / G, and each (sample, group) is normalized over its
// C / G * S elements, then scaled and shifted per channel. The forward saves per-group
// statistics; the backward is one pass per group, its parameter gradients per-sample
// partials added in sample order, so nothing depends on the thread count.
// A null weight stands for ones and a null bias for zeros.
#include <cstdint>

namespace tessera::kernels::cpu {

// y = (x - mean) * rstd * weight[c] + bias[c], rstd = 1 / sqrt(var + eps) (biased variance).
// x, y: (N, C, S), weight, bias: (C) or null, mean, rstd: (N, G); G divides C
void group_norm_forward(float* y, float* mean, float* rstd, const float* x, const float* weight, const float* bias,
                        int64_t N, int64_t C, int64_t S, int64_t G, float eps);

// dx: (N, C, S) or null, dweight, dbias: (C) or null; dy, x: (N, C, S), weight: (C) or null,
// mean, rstd: (N, G)
void group_norm_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x, const float* weight,
                         const float* mean, const float* rstd, int64_t N, int64_t C, int64_t S, int64_t G);

}  // namespace tessera::kernels::cpu
