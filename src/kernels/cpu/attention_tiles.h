#pragma once
// What the attention forward and backward share: tile sizes, scratch buffers, the mask
// applied to a tile of scores, and the copies that turn rows of q, k, v into operands of
// tile_gemm. Internal to the attention kernels.
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "kernels/cpu/attention.h"
#include "kernels/cpu/tile_gemm.h"

namespace tessera::kernels::cpu::attention_tiles {

// Queries and keys per tile. 64 = four groups of 16 columns: one full register block
// of tile_gemm across a tile's width.
inline constexpr int64_t kQueryBlock = 64;
inline constexpr int64_t kKeyBlock = 64;
inline constexpr float kLog2e = 1.4426950408889634f;

inline int64_t round_up_columns(int64_t n) { return (n + kTileColumns - 1) / kTileColumns * kTileColumns; }

// A 64-byte aligned float buffer (rows of tiles then start on cache lines).
class Scratch {
 public:
  explicit Scratch(int64_t floats)
      : data_(static_cast<float*>(std::aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64))) {}
  float* get() const { return data_.get(); }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data_;
};

// Query i sees keys [0, key_end(i)).
inline int64_t key_end(const AttentionParams& p, int64_t i) {
  if (!p.causal) return p.kv_len;
  const int64_t end = p.kv_len - p.q_len + i + 1;
  return end < 0 ? 0 : (end > p.kv_len ? p.kv_len : end);
}

// The first query that sees key j: j - (Tk - Tq) under causal masking, clamped to
// [0, Tq]; 0 without.
inline int64_t first_query(const AttentionParams& p, int64_t j) {
  if (!p.causal) return 0;
  const int64_t first = j - (p.kv_len - p.q_len);
  return first < 0 ? 0 : (first > p.q_len ? p.q_len : first);
}

// Whether causal masking bans some key of [j0, j0 + nk) to some query from i0 on.
inline bool crosses_diagonal(const AttentionParams& p, int64_t i0, int64_t j0, int64_t nk) {
  return p.causal && key_end(p, i0) < j0 + nk;
}

// Bans the raw scores (q . k, before scaling) that batch entry b's queries
// [i0, i0 + nq) may not give keys [j0, j0 + nk): sets them to the infinity that scaling
// turns into -inf (+inf for a negative scale). The score of (i0 + i, j0 + j) is
// s[i * ld + j], or s[j * ld + i] when keys_major (the forward's transposed tile).
void mask_scores(const AttentionParams& p, int64_t b, int64_t i0, int64_t nq, int64_t j0, int64_t nk, float* s,
                 int64_t ld, bool keys_major);

// dst (rows, Dp) = src (rows, D) with row stride ld, Dp = D rounded up to whole column
// groups, the columns after D zero: a tile_gemm operand. Copied even when D = Dp: rows
// of q, k, v lie H * D floats apart, a power-of-two stride that maps a tile's rows onto
// a few L1 sets, while the copy's rows are contiguous.
void pack_rows(const float* src, int64_t rows, int64_t ld, int64_t D, float* dst);

// Asks for the cache lines of rows x D values (row stride ld) ahead of writing them, so
// the writes do not each wait for their line: rows H * D floats apart are too far apart
// for the hardware prefetchers.
inline void prefetch_rows_for_write(float* rows, int64_t n, int64_t ld, int64_t D) {
  for (int64_t r = 0; r < n; ++r)
    for (int64_t d = 0; d < D; d += 16) __builtin_prefetch(rows + r * ld + d, 1, 3);
}

// dst (D, ld_dst) = src^T for src (rows, D) with row stride ld; columns rows to
// round_up_columns(rows) of dst are zeroed, so the transpose is a whole-group operand.
void transpose_rows(const float* src, int64_t rows, int64_t ld, int64_t D, float* dst, int64_t ld_dst);

}  // namespace tessera::kernels::cpu::attention_tiles
