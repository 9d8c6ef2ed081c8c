// GEMM, including the one-row case that goes through GEMV (a decoding step's linear
// layers), against a plain triple loop, for every transpose combination and strides.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"
#include "kernels/cpu/gemm.h"

namespace tessera::kernels::cpu {
namespace {

TEST(Gemm, MatchesALoopForOneRowAndMore) {
  Rng rng(2);
  for (int64_t M : {1, 3}) {
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        const int64_t N = 37, K = 19, pad = 2;  // padded row strides catch a wrong lda/ldb
        const int64_t lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
        std::vector<float> A((ta ? K : M) * lda), B((tb ? N : K) * ldb), C(M * ldc), expected;
        for (float& x : A) x = rng.normal();
        for (float& x : B) x = rng.normal();
        for (float& x : C) x = rng.normal();
        expected = C;
        const float alpha = 0.5f, beta = -1.5f;
        for (int64_t i = 0; i < M; ++i) {
          for (int64_t j = 0; j < N; ++j) {
            double sum = 0;
            for (int64_t k = 0; k < K; ++k)
              sum += (ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
            expected[i * ldc + j] = static_cast<float>(alpha * sum + beta * C[i * ldc + j]);
          }
        }
        gemm(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
        for (int64_t i = 0; i < M; ++i) {
          for (int64_t j = 0; j < N; ++j) {
            EXPECT_NEAR(C[i * ldc + j], expected[i * ldc + j], 1e-4) << "M " << M << " ta " << ta << " tb " << tb;
          }
        }
        for (int64_t j = N; j < ldc; ++j) EXPECT_EQ(C[j], expected[j]) << "the padding of C is left alone";
      }
    }
  }
}

}  // namespace
}  // namespace tessera::kernels::cpu
