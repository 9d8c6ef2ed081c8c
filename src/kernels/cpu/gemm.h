#pragma once
// GEMM through BLAS (we do not write our own): row-major, f32.
#include <cstdint>

namespace tessera::kernels::cpu {

// C = alpha * op(A) @ op(B) + beta * C, row-major.
// op(A): (M, K) — A is (M, K) with row stride lda, or (K, M) when trans_a.
// op(B): (K, N) — B is (K, N) with row stride ldb, or (N, K) when trans_b.
// C: (M, N) with row stride ldc.
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// The same over `batch` independent problems; each operand's matrices lie `stride_*`
// floats apart (a stride of 0 broadcasts one matrix to every problem).
void gemm_batched(int64_t batch, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                  const float* A, int64_t stride_a, const float* B, int64_t stride_b, float beta, float* C,
                  int64_t stride_c);

// The FLOP/s this machine's SGEMM reaches at the current thread count: square products of
// `size` (warmed up once, then repeated for about `seconds`), 2 * size^3 FLOPs each. The
// denominator of MFU: what the model's FLOPs are measured against.
double measure_gemm_peak(int64_t size = 1024, double seconds = 0.25);

}  // namespace tessera::kernels::cpu
