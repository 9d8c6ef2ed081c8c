#include "kernels/cpu/gemm.h"

#include <cblas.h>

#include <atomic>
#include <chrono>
#include <vector>

#include "core/threads.h"

namespace tessera::kernels::cpu {

namespace {

// BLAS keeps its own thread pool; it follows the engine's thread count, set at the first
// GEMM after a change.
void sync_blas_threads() {
  static std::atomic<int> applied{0};
  const int wanted = num_threads();
  if (applied.load(std::memory_order_relaxed) != wanted) {
    openblas_set_num_threads(wanted);
    applied.store(wanted, std::memory_order_relaxed);
  }
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {  // BLAS leaves C untouched for K = 0 only when beta is 1; define it as a scale
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
    return;
  }
  sync_blas_threads();
  // One row (a decoding step's linear layers): GEMV reads B in place, where GEMM would
  // first pack all of B, which cost a third of a batch-1 decode step.
  if (M == 1) {
    const auto incx = static_cast<blasint>(trans_a ? lda : 1);
    cblas_sgemv(CblasRowMajor, trans_b ? CblasNoTrans : CblasTrans, static_cast<blasint>(trans_b ? N : K),
                static_cast<blasint>(trans_b ? K : N), alpha, B, static_cast<blasint>(ldb), A, incx, beta, C, 1);
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(M), static_cast<blasint>(N), static_cast<blasint>(K), alpha, A,
              static_cast<blasint>(lda), B, static_cast<blasint>(ldb), beta, C, static_cast<blasint>(ldc));
}

void gemm_batched(int64_t batch, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                  const float* A, int64_t stride_a, const float* B, int64_t stride_b, float beta, float* C,
                  int64_t stride_c) {
  const int64_t lda = trans_a ? M : K;
  const int64_t ldb = trans_b ? K : N;
  for (int64_t b = 0; b < batch; ++b) {
    gemm(trans_a, trans_b, M, N, K, alpha, A + b * stride_a, lda, B + b * stride_b, ldb, beta, C + b * stride_c, N);
  }
}

double measure_gemm_peak(int64_t size, double seconds) {
  const size_t n = static_cast<size_t>(size * size);
  std::vector<float> a(n, 0.5f), b(n, 0.25f), c(n, 0.0f);
  gemm(false, false, size, size, size, 1.0f, a.data(), size, b.data(), size, 0.0f, c.data(), size);
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  int64_t runs = 0;
  double elapsed = 0;
  do {
    gemm(false, false, size, size, size, 1.0f, a.data(), size, b.data(), size, 0.0f, c.data(), size);
    ++runs;
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < seconds);
  return 2.0 * static_cast<double>(size) * static_cast<double>(size) * static_cast<double>(size) *
         static_cast<double>(runs) / elapsed;
}

}  // namespace tessera::kernels::cpu
