// The attention forward: one task per (batch, head, block of queries), each streaming
// over the key blocks its queries may see with an online softmax.
//
// Scores are kept keys-major (a key block by a query block, S^T = K Q^T): K is then
// used as stored and Q is transposed once per task rather than K once per tile, and
// the softmax over each query's keys runs down columns, sixteen queries per vector,
// with no horizontal reductions.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/threads.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/attention_tiles.h"
#include "kernels/cpu/simd16.h"
#include "kernels/cpu/tile_gemm.h"

namespace tessera::kernels::cpu {

using namespace attention_tiles;

namespace {

// Running maxima start here rather than at -inf, so a query whose keys so far are all
// banned gets exp2(-inf - floor) = 0 instead of exp2(-inf + inf) = NaN.
constexpr float kMaxFloor = -1e30f;

// Per-thread buffers, sized by the tiles alone: D x Bq (Q^T) + Bk x Bq (scores)
// + Bq x Dp (output accumulator) + Bk x Dp (padded V rows) + 3 Bq floats, whatever Tq
// and Tk are.
struct ForwardScratch {
  explicit ForwardScratch(int64_t D, int64_t Dp)
      : q_t(D * kQueryBlock),
        scores(kKeyBlock * kQueryBlock),
        acc(kQueryBlock * Dp),
        v_rows(kKeyBlock * Dp),
        stats(3 * kQueryBlock) {}
  Scratch q_t, scores, acc, v_rows, stats;
};

// One (batch b, head h, queries [i0, i0 + nq)) task.
void forward_block(const AttentionParams& p, int64_t b, int64_t h, int64_t i0, const float* q, const float* k,
                   const float* v, float* out, float* lse, ForwardScratch& scratch) {
  const int64_t H = p.heads, D = p.head_dim, Dp = round_up_columns(D), row = H * D;
  const int64_t nq = std::min(kQueryBlock, p.q_len - i0), groups = round_up_columns(nq) / 16;
  const float* q_rows = q + ((b * p.q_len + i0) * H + h) * D;
  const float* k_rows = k + (b * p.kv_len * H + h) * D;
  const float* v_rows = v + (b * p.kv_len * H + h) * D;

  // The raw products q . k are scaled by c = scale * log2 e on use, so exp2 is the
  // softmax's exp; the backward computes the same products, bit for bit, and scales them
  // the same way, so the scores it recomputes are exactly these.
  const Vec16 c = Vec16::broadcast(p.scale * kLog2e);
  float* q_t = scratch.q_t.get();
  transpose_rows(q_rows, nq, row, D, q_t, kQueryBlock);
  float* s = scratch.scores.get();
  float* acc = scratch.acc.get();
  std::fill(acc, acc + nq * Dp, 0.0f);
  float* running_max = scratch.stats.get();
  float* running_sum = running_max + kQueryBlock;
  float* rescale = running_sum + kQueryBlock;
  std::fill(running_max, running_max + kQueryBlock, kMaxFloor);
  std::fill(running_sum, running_sum + kQueryBlock, 0.0f);

  // Causal: key blocks past the last query's position are skipped entirely.
  const int64_t keys = key_end(p, i0 + nq - 1);
  for (int64_t j0 = 0; j0 < keys; j0 += kKeyBlock) {
    const int64_t nk = std::min(kKeyBlock, keys - j0);
    // A tile the causal diagonal crosses is computed in bands of 16 keys, each only for
    // the column groups of queries that see one of them; what is left out is banned.
    const int64_t band = crosses_diagonal(p, i0, j0, nk) ? 16 : kKeyBlock;
    for (int64_t r0 = 0; r0 < nk; r0 += band) {
      const int64_t c0 = std::max<int64_t>(0, first_query(p, j0 + r0) - i0) / 16 * 16;
      tile_gemm(false, false, std::min(band, nk - r0), groups * 16 - c0, D, k_rows + (j0 + r0) * row, row, q_t + c0,
                kQueryBlock, s + r0 * kQueryBlock + c0, kQueryBlock);
    }
    mask_scores(p, b, i0, nq, j0, nk, s, kQueryBlock, true);
    for (int64_t g = 0; g < groups; ++g) {
      float* col = s + 16 * g;
      Vec16 tile_max = c * Vec16::load(col);
      for (int64_t j = 1; j < nk; ++j) tile_max = max(tile_max, c * Vec16::load(col + j * kQueryBlock));
      const Vec16 old_max = Vec16::load(running_max + 16 * g);
      const Vec16 new_max = max(old_max, tile_max);
      const Vec16 alpha = exp2(old_max - new_max);
      Vec16 sum = Vec16::zero();
      for (int64_t j = 0; j < nk; ++j) {
        const Vec16 e = exp2(c * Vec16::load(col + j * kQueryBlock) - new_max);
        e.store(col + j * kQueryBlock);
        sum = sum + e;
      }
      fma(Vec16::load(running_sum + 16 * g), alpha, sum).store(running_sum + 16 * g);
      new_max.store(running_max + 16 * g);
      alpha.store(rescale + 16 * g);
    }
    for (int64_t i = 0; i < nq; ++i) {
      const Vec16 a = Vec16::broadcast(rescale[i]);
      for (int64_t col = 0; col < Dp; col += 16) (Vec16::load(acc + i * Dp + col) * a).store(acc + i * Dp + col);
    }
    float* v_op = scratch.v_rows.get();
    pack_rows(v_rows + j0 * row, nk, row, D, v_op);
    // acc += P V, P = (S^T)^T; in bands of 16 queries across the diagonal, each over the
    // keys that one of them sees.
    const int64_t query_band = band == kKeyBlock ? nq : 16;
    for (int64_t a = 0; a < nq; a += query_band) {
      const int64_t rows = std::min(query_band, nq - a);
      const int64_t seen = std::clamp<int64_t>(key_end(p, i0 + a + rows - 1) - j0, 0, nk);
      tile_gemm(true, true, rows, Dp, seen, s + a, kQueryBlock, v_op, Dp, acc + a * Dp, Dp);
    }
  }

  for (int64_t i = 0; i < nq; ++i) {
    const float l = running_sum[i];
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;  // a query that sees no key outputs zeros
    float* o = out + ((b * p.q_len + i0 + i) * H + h) * D;
    for (int64_t d = 0; d < D; ++d) o[d] = acc[i * Dp + d] * inv;
    if (lse != nullptr) {
      lse[(b * H + h) * p.q_len + i0 + i] =
          l > 0.0f ? running_max[i] + std::log2(l) : std::numeric_limits<float>::infinity();
    }
  }
}

}  // namespace

void attention_forward(const AttentionParams& p, const float* q, const float* k, const float* v, float* out,
                       float* lse) {
  const int64_t blocks = (p.q_len + kQueryBlock - 1) / kQueryBlock;
  const int64_t tasks = p.batch * p.heads * blocks;
  const int64_t work = p.batch * p.heads * p.q_len * p.kv_len * p.head_dim;
  const int threads = num_threads();
#pragma omp parallel num_threads(threads) if (work > (1 << 17))
  {
    ForwardScratch scratch(p.head_dim, round_up_columns(p.head_dim));
    // Dynamic: causal blocks differ in cost. Each block is one task's alone, so the
    // result does not depend on which thread ran it.
#pragma omp for schedule(dynamic)
    for (int64_t t = 0; t < tasks; ++t) {
      const int64_t block = blocks - 1 - t % blocks;  // the costly late blocks first
      const int64_t bh = t / blocks;
      forward_block(p, bh / p.heads, bh % p.heads, block * kQueryBlock, q, k, v, out, lse, scratch);
    }
  }
}

}  // namespace tessera::kernels::cpu
