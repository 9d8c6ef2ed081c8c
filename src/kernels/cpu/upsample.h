#pragma once
// Nearest-neighbour upsampling by an integer factor, the decoders' way back to full size.
#include <cstdint>

namespace tessera::kernels::cpu {

// y[p, iy * s + a, ix * s + b] = x[p, iy, ix] for a, b in [0, s).
// x: (planes, H, W), y: (planes, H * s, W * s)
void upsample_nearest2d_forward(float* y, const float* x, int64_t planes, int64_t H, int64_t W, int64_t scale);

// dx[p, iy, ix] = the sum of dy over the s x s block that copied it.
// dy: (planes, H * s, W * s), dx: (planes, H, W)
void upsample_nearest2d_backward(float* dx, const float* dy, int64_t planes, int64_t H, int64_t W, int64_t scale);

}  // namespace tessera::kernels::cpu
