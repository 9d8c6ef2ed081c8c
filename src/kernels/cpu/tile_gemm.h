#pragma once
// Small matrix products for the tiles of fused kernels (attention): register-blocked,
// single-threaded, meant to be called from inside a parallel region, where BLAS (with
// its own thread pool) must not be. Sized for operands that fit in L1/L2: no packing.
#include <cstdint>

namespace tessera::kernels::cpu {

// N must be a multiple of this: the kernel works on whole groups of 16 columns, so the
// caller pads B and C to it (padding columns of C receive values and are the caller's).
inline constexpr int64_t kTileColumns = 16;

// C = op(A) @ B, or C += op(A) @ B when accumulate.
// op(A): (M, K); A is stored (M, K) with row stride lda, or (K, M) when transpose_a.
// B: (K, N) with row stride ldb; C: (M, N) with row stride ldc; N % kTileColumns == 0.
void tile_gemm(bool transpose_a, bool accumulate, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
               const float* B, int64_t ldb, float* C, int64_t ldc);

}  // namespace tessera::kernels::cpu
