#pragma once
// Finite scalar quantization (Mentzer et al. 2023, "Finite Scalar Quantization: VQ-VAE Made
// Simple"): each of the d channels of a latent vector is bounded to L_i levels and rounded,
// and the vector's code is the mixed-radix number of its levels. All of its arithmetic
// lives here, so the quantizer and its codes cannot drift apart.
//
// Channel i with L = levels[i] levels: half = (L - 1) (1 + 1e-3) / 2 (the 1e-3 lets the
// rounding reach the outermost levels), offset = 0.5 for even L else 0 (even counts sit
// between integers), shift = atanh(offset / half) (so that z = 0 maps to 0 before the offset):
//   bound(z) = tanh(z + shift) * half - offset
//   q = round(bound(z)) / (L / 2)               (integer division; q lies in [-1, 1])
//   digit = q * (L / 2) + L / 2                  (in [0, L))
//   id = sum_i digit_i * prod_{k < i} L_k        (channel 0 is the least significant)
// Rounding is half to even, as torch.round.
#include <cstdint>

namespace tessera::kernels::cpu {

// q = round(bound(z)) / (L / 2). z, q: (rows, d), levels: (d), each >= 2
void fsq_forward(float* q, const float* z, const int32_t* levels, int64_t rows, int64_t d);

// dz = dy * bound'(z) / (L / 2): straight through the rounding. dy, z, dz: (rows, d)
void fsq_backward(float* dz, const float* dy, const float* z, const int32_t* levels, int64_t rows, int64_t d);

// u = bound(z) / (L / 2): the continuous value that fsq_forward rounds, so that
// q = round(u (L / 2)) / (L / 2). Residual quantizers measure what one stage left over
// against it. z, u: (rows, d)
void fsq_bound(float* u, const float* z, const int32_t* levels, int64_t rows, int64_t d);

// q = the level of its channel nearest to u (in fsq_bound's units): round(u (L / 2)),
// clamped to [-(L / 2), L - 1 - L / 2], over L / 2, formed as fsq_values forms it, so the
// codes of q round-trip bit for bit. u, q: (rows, d)
void fsq_nearest(float* q, const float* u, const int32_t* levels, int64_t rows, int64_t d);

// ids[r] = the code of q[r, :]. Returns the flat index of the first value of q that is not
// one of its channel's levels (ids then incomplete), or -1. q: (rows, d), ids: (rows)
int64_t fsq_codes(int32_t* ids, const float* q, const int32_t* levels, int64_t rows, int64_t d);

// q[r, :] = the levels whose code is ids[r], the exact inverse of fsq_codes. Returns the
// index of the first id outside [0, prod(levels)) (q then incomplete), or -1.
// ids: (rows), q: (rows, d)
int64_t fsq_values(float* q, const int32_t* ids, const int32_t* levels, int64_t rows, int64_t d);

}  // namespace tessera::kernels::cpu
