#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"
#include "kernels/cpu/tile_gemm.h"
#include "support/expect_error.h"

namespace tessera::kernels::cpu {
namespace {

std::vector<float> random_values(int64_t n, Rng& rng) {
  std::vector<float> x(n);
  for (float& v : x) v = rng.normal();
  return x;
}

// Every (M, N, K) edge the attention tiles produce: row counts that are and are not
// multiples of the register block, several column groups, K from 1 to past a tile,
// transposed A, accumulation, and strides wider than the operands.
TEST(TileGemm, MatchesNaiveLoop) {
  Rng rng(7);
  for (bool transpose_a : {false, true}) {
    for (bool accumulate : {false, true}) {
      for (int64_t M : {1, 3, 5, 6, 7, 13, 64}) {
        for (int64_t N : {16, 32, 48, 64, 80, 128}) {
          for (int64_t K : {1, 3, 17, 64, 65}) {
            const int64_t lda = (transpose_a ? M : K) + 3, ldb = N + 16, ldc = N + 32;
            const std::vector<float> A = random_values((transpose_a ? K : M) * lda, rng);
            const std::vector<float> B = random_values(K * ldb, rng);
            std::vector<float> C = random_values(M * ldc, rng);
            std::vector<double> expected(M * ldc);
            for (int64_t i = 0; i < M; ++i) {
              for (int64_t j = 0; j < ldc; ++j) {
                double total = accumulate || j >= N ? C[i * ldc + j] : 0.0;
                for (int64_t k = 0; j < N && k < K; ++k) {
                  total += static_cast<double>(transpose_a ? A[k * lda + i] : A[i * lda + k]) * B[k * ldb + j];
                }
                expected[i * ldc + j] = total;
              }
            }
            tile_gemm(transpose_a, accumulate, M, N, K, A.data(), lda, B.data(), ldb, C.data(), ldc);
            double worst = 0;
            for (int64_t i = 0; i < M * ldc; ++i) worst = std::max(worst, std::fabs(C[i] - expected[i]));
            // Float sums of up to 65 products of N(0, 1) values: a few float ulps of ~sqrt(K).
            EXPECT_LE(worst, 1e-5 * std::sqrt(static_cast<double>(K)) * 4)
                << "M " << M << " N " << N << " K " << K << " transpose_a " << transpose_a << " accumulate "
                << accumulate;
          }
        }
      }
    }
  }
}

TEST(TileGemm, RejectsPartialColumnGroups) {
  std::vector<float> A(4), B(20), C(20);
  expect_error([&] { tile_gemm(false, false, 1, 20, 1, A.data(), 1, B.data(), 20, C.data(), 20); },
               {"multiple of 16, found 20"});
}

}  // namespace
}  // namespace tessera::kernels::cpu
