#include "kernels/cpu/tile_gemm.h"

#include <algorithm>

#include "core/error.h"
#include "kernels/cpu/simd16.h"

namespace tessera::kernels::cpu {

namespace {

// Register block: kRows rows of C times up to kGroups groups of 16 columns, held in
// registers for the whole K loop. AVX-512 has 32 registers: 6 x 4 accumulators, 4 for B.
#if defined(__AVX512F__)
constexpr int kRows = 6, kGroups = 4;
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int kRows = 3, kGroups = 2;  // a Vec16 takes two of the 16 AVX2 registers
#else
constexpr int kRows = 4, kGroups = 1;
#endif

template <int Rows, int Groups, bool TransposeA>
void micro_tile(int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
                bool accumulate) {
  Vec16 acc[Rows][Groups];
  for (int i = 0; i < Rows; ++i)
    for (int g = 0; g < Groups; ++g) acc[i][g] = accumulate ? Vec16::load(C + i * ldc + 16 * g) : Vec16::zero();
  for (int64_t k = 0; k < K; ++k) {
    Vec16 b[Groups];
    for (int g = 0; g < Groups; ++g) b[g] = Vec16::load(B + k * ldb + 16 * g);
    for (int i = 0; i < Rows; ++i) {
      const Vec16 a = Vec16::broadcast(TransposeA ? A[k * lda + i] : A[i * lda + k]);
      for (int g = 0; g < Groups; ++g) acc[i][g] = fma(a, b[g], acc[i][g]);
    }
  }
  for (int i = 0; i < Rows; ++i)
    for (int g = 0; g < Groups; ++g) acc[i][g].store(C + i * ldc + 16 * g);
}

using MicroTile = void (*)(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, bool);

// table[rows - 1][groups - 1]: every block shape a tile edge can leave.
template <bool TransposeA>
struct MicroTiles {
  MicroTile table[kRows][kGroups];
  constexpr MicroTiles() : table{} { fill_rows<1>(); }
  template <int Rows>
  constexpr void fill_rows() {
    fill_groups<Rows, 1>();
    if constexpr (Rows < kRows) fill_rows<Rows + 1>();
  }
  template <int Rows, int Groups>
  constexpr void fill_groups() {
    table[Rows - 1][Groups - 1] = &micro_tile<Rows, Groups, TransposeA>;
    if constexpr (Groups < kGroups) fill_groups<Rows, Groups + 1>();
  }
};

template <bool TransposeA>
void tile_gemm_impl(bool accumulate, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                    int64_t ldb, float* C, int64_t ldc) {
  static constexpr MicroTiles<TransposeA> tiles;
  const int64_t groups_total = N / 16;
  // One column panel of B at a time, so it stays in L1 while every row block passes.
  for (int64_t g0 = 0; g0 < groups_total; g0 += kGroups) {
    const int64_t groups = std::min<int64_t>(kGroups, groups_total - g0);
    for (int64_t i0 = 0; i0 < M; i0 += kRows) {
      const int64_t rows = std::min<int64_t>(kRows, M - i0);
      const float* a = TransposeA ? A + i0 : A + i0 * lda;
      tiles.table[rows - 1][groups - 1](K, a, lda, B + 16 * g0, ldb, C + i0 * ldc + 16 * g0, ldc, accumulate);
    }
  }
}

}  // namespace

void tile_gemm(bool transpose_a, bool accumulate, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
               const float* B, int64_t ldb, float* C, int64_t ldc) {
  TESSERA_CHECK(N % kTileColumns == 0, "tile_gemm: N must be a multiple of ", kTileColumns, ", found ", N);
  if (transpose_a) {
    tile_gemm_impl<true>(accumulate, M, N, K, A, lda, B, ldb, C, ldc);
  } else {
    tile_gemm_impl<false>(accumulate, M, N, K, A, lda, B, ldb, C, ldc);
  }
}

}  // namespace tessera::kernels::cpu
