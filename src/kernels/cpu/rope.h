#pragma once
// Rotary position embedding with rotate-half pairing: dimension i < D/2 pairs with i + D/2
// and the pair turns by the angle pos * theta^(-2i/D).
#include <cstdint>

namespace tessera::kernels::cpu {

// cos, sin of the angles of positions start .. start + T - 1. The angles are formed in
// double and the result depends only on (position, i, D, theta), never on start or T, so
// position p gets bit-identical values in every call. cos, sin: (T, D/2)
void rope_angles(float* cos, float* sin, int64_t start, int64_t T, int64_t D, float theta);

// y = x with every pair rotated by its angle, or by minus its angle when `inverse` (the
// backward). x, y: (B, T, H, D), cos, sin: (T, D/2)
void rope_rotate(float* y, const float* x, const float* cos, const float* sin, int64_t B, int64_t T, int64_t H,
                 int64_t D, bool inverse);

}  // namespace tessera::kernels::cpu
