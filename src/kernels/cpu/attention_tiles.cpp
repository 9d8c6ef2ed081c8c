#include "kernels/cpu/attention_tiles.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/cpu/simd16.h"

namespace tessera::kernels::cpu::attention_tiles {

void mask_scores(const AttentionParams& p, int64_t b, int64_t i0, int64_t nq, int64_t j0, int64_t nk, float* s,
                 int64_t ld, bool keys_major) {
  const float banned = (p.scale > 0.0f ? -1.0f : 1.0f) * std::numeric_limits<float>::infinity();
  // Causal: each query's allowed keys are a prefix, so its banned ones are a run to the
  // tile's edge; nothing to do when even the first query of the block sees every key.
  if (crosses_diagonal(p, i0, j0, nk)) {
    if (keys_major) {
      for (int64_t j = 0; j < nk; ++j) {
        const int64_t first = std::clamp<int64_t>(first_query(p, j0 + j) - i0, 0, nq);
        std::fill(s + j * ld, s + j * ld + first, banned);
      }
    } else {
      for (int64_t i = 0; i < nq; ++i) {
        const int64_t end = std::clamp<int64_t>(key_end(p, i0 + i) - j0, 0, nk);
        std::fill(s + i * ld + end, s + i * ld + nk, banned);
      }
    }
  }
  if (p.mask == nullptr) return;
  const uint8_t* allowed = p.mask + b * p.mask_batch_stride;
  for (int64_t i = 0; i < nq; ++i) {
    const uint8_t* row = allowed + (i0 + i) * p.kv_len + j0;
    for (int64_t j = 0; j < nk; ++j) {
      if (row[j] == 0) s[keys_major ? j * ld + i : i * ld + j] = banned;
    }
  }
}

void pack_rows(const float* src, int64_t rows, int64_t ld, int64_t D, float* dst) {
  const int64_t Dp = round_up_columns(D);
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(dst + r * Dp, src + r * ld, D * sizeof(float));
    std::fill(dst + r * Dp + D, dst + (r + 1) * Dp, 0.0f);
  }
}

void transpose_rows(const float* src, int64_t rows, int64_t ld, int64_t D, float* dst, int64_t ld_dst) {
  const int64_t cols = round_up_columns(rows), full_rows = rows / 16 * 16, full_d = D / 16 * 16;
  for (int64_t r = 0; r < full_rows; r += 16) {
    for (int64_t d = 0; d < full_d; d += 16) transpose16x16(src + r * ld + d, ld, dst + d * ld_dst + r, ld_dst);
  }
  // The edges: d past the last whole block for every row, rows past it for every d.
  for (int64_t d = 0; d < D; ++d) {
    float* out = dst + d * ld_dst;
    for (int64_t r = d < full_d ? full_rows : 0; r < rows; ++r) out[r] = src[r * ld + d];
    std::fill(out + rows, out + cols, 0.0f);
  }
}

}  // namespace tessera::kernels::cpu::attention_tiles
