// The attention backward: one task per (batch, head), so each task alone writes its
// head's dq, dk and dv rows, in a fixed order, and the result does not depend on the
// thread count. Within it, the outer loop runs over key blocks (their dk, dv stay in
// tile-sized accumulators) and the inner one over the query blocks that may see
// them, recomputing each score tile from the saved log-sum-exp:
//   P = exp2(S - lse), dP = dO V^T, dS = scale P (dP - rowsum(dO * O)),
//   dV += P^T dO, dQ += dS K, dK += dS^T Q
// (dS is the gradient of the raw products q . k).
// Scores are query-major here (S = Q K^T): K^T and V^T are transposed once per key block
// and reused by every query block, while Q and dO are used as stored.
#include <algorithm>
#include <cmath>

#include "core/threads.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/attention_tiles.h"
#include "kernels/cpu/simd16.h"
#include "kernels/cpu/tile_gemm.h"

namespace tessera::kernels::cpu {

using namespace attention_tiles;

namespace {

// Per-thread buffers: 2 D x Bk (K^T, V^T) + 3 Bk x Dp (padded K rows, dK and dV
// accumulators) + 3 Bq x Dp (padded Q and dO rows, a dQ tile) + 2 Bq x Bk (P and
// dP / dS) floats for the tiles, plus Tq floats for the head's rowsum(dO * O); never
// anything of size Tq x Tk.
struct BackwardScratch {
  BackwardScratch(int64_t D, int64_t Dp, int64_t q_len)
      : k_t(D * kKeyBlock),
        v_t(D * kKeyBlock),
        k_rows(kKeyBlock * Dp),
        dk(kKeyBlock * Dp),
        dv(kKeyBlock * Dp),
        q_rows(kQueryBlock * Dp),
        do_rows(kQueryBlock * Dp),
        dq(kQueryBlock * Dp),
        probs(kQueryBlock * kKeyBlock),
        dprobs(kQueryBlock * kKeyBlock),
        out_dot(q_len) {}
  Scratch k_t, v_t, k_rows, dk, dv, q_rows, do_rows, dq, probs, dprobs, out_dot;
};

struct HeadPointers {
  const float *q, *k, *v, *out, *lse, *dout;
  float *dq, *dk, *dv;
};

// Queries [i0, i0 + nq) against the key block [j0, j0 + nk) held in the scratch.
// Across the causal diagonal the work goes in bands of 16 queries (for the products over
// keys) and of 16 keys (for those over queries), each limited to what its rows see.
void backward_tile(const AttentionParams& p, int64_t b, int64_t i0, int64_t nq, int64_t j0, int64_t nk,
                   const HeadPointers& head, BackwardScratch& scratch) {
  const int64_t D = p.head_dim, Dp = round_up_columns(D), row = p.heads * D;
  float* q = scratch.q_rows.get();
  float* dout = scratch.do_rows.get();
  pack_rows(head.q + i0 * row, nq, row, D, q);
  pack_rows(head.dout + i0 * row, nq, row, D, dout);
  const float* out_dot = scratch.out_dot.get() + i0;
  float* probs = scratch.probs.get();
  float* dprobs = scratch.dprobs.get();
  float* dq = scratch.dq.get();
  const Vec16 c = Vec16::broadcast(p.scale * kLog2e);  // the forward's scaling, see there
  const Vec16 scale = Vec16::broadcast(p.scale);
  const int64_t band = crosses_diagonal(p, i0, j0, nk) ? 16 : kQueryBlock;

  for (int64_t a = 0; a < nq; a += band) {
    const int64_t rows = std::min(band, nq - a);
    const int64_t seen = std::clamp<int64_t>(key_end(p, i0 + a + rows - 1) - j0, 0, nk);
    // Columns from `seen` to `width` are banned or padding keys: computed, never used.
    const int64_t width = round_up_columns(seen);
    float* s = probs + a * kKeyBlock;
    float* ds = dprobs + a * kKeyBlock;
    tile_gemm(false, false, rows, width, D, q + a * Dp, Dp, scratch.k_t.get(), kKeyBlock, s, kKeyBlock);
    mask_scores(p, b, i0 + a, rows, j0, nk, s, kKeyBlock, false);
    tile_gemm(false, false, rows, width, D, dout + a * Dp, Dp, scratch.v_t.get(), kKeyBlock, ds, kKeyBlock);
    for (int64_t i = 0; i < rows; ++i) {
      // lse is +inf for a query that sees no key: its probabilities are all 0.
      const Vec16 lse = Vec16::broadcast(head.lse[i0 + a + i]), dot = Vec16::broadcast(out_dot[a + i]);
      for (int64_t col = i * kKeyBlock; col < i * kKeyBlock + width; col += 16) {
        const Vec16 prob = exp2(c * Vec16::load(s + col) - lse);
        prob.store(s + col);
        (prob * ((Vec16::load(ds + col) - dot) * scale)).store(ds + col);
      }
    }
    tile_gemm(false, false, rows, Dp, seen, ds, kKeyBlock, scratch.k_rows.get(), Dp, dq, Dp);  // dQ += dS K
    float* dq_rows = head.dq + (i0 + a) * row;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t d = 0; d < D; ++d) dq_rows[i * row + d] += dq[i * Dp + d];
  }
  for (int64_t k0 = 0; k0 < nk; k0 += band) {
    const int64_t keys = std::min(band, nk - k0);
    const int64_t first = std::clamp<int64_t>(first_query(p, j0 + k0) - i0, 0, nq);
    const float* p_rows = probs + first * kKeyBlock + k0;
    const float* ds_rows = dprobs + first * kKeyBlock + k0;
    tile_gemm(true, true, keys, Dp, nq - first, p_rows, kKeyBlock, dout + first * Dp, Dp, scratch.dv.get() + k0 * Dp,
              Dp);  // dV += P^T dO
    tile_gemm(true, true, keys, Dp, nq - first, ds_rows, kKeyBlock, q + first * Dp, Dp, scratch.dk.get() + k0 * Dp,
              Dp);  // dK += dS^T Q
  }
}

// dots[i] = rowsum(dO * O) for the head's rows i < rows (row stride `row`). Fused
// multiply-adds in d order, as tile_gemm forms dP = dO V^T, so that where out is one
// value row (a single allowed key) dP - dots is exactly 0. Sixteen rows at a time, so
// their chains of dependent adds overlap.
void output_dots(const float* out, const float* dout, int64_t rows, int64_t row, int64_t D, float* dots) {
  for (int64_t i0 = 0; i0 < rows; i0 += 16) {
    const int64_t n = std::min<int64_t>(16, rows - i0);
    float total[16] = {};
    for (int64_t d = 0; d < D; ++d) {
      for (int64_t i = 0; i < n; ++i) total[i] = std::fma(out[(i0 + i) * row + d], dout[(i0 + i) * row + d], total[i]);
    }
    std::copy(total, total + n, dots + i0);
  }
}

void backward_head(const AttentionParams& p, int64_t b, int64_t h, const HeadPointers& all, BackwardScratch& scratch) {
  const int64_t H = p.heads, D = p.head_dim, Dp = round_up_columns(D), row = H * D;
  const int64_t q_start = (b * p.q_len * H + h) * D, kv_start = (b * p.kv_len * H + h) * D;
  const HeadPointers head{
      all.q + q_start,    all.k + kv_start, all.v + kv_start,  all.out + q_start, all.lse + (b * H + h) * p.q_len,
      all.dout + q_start, all.dq + q_start, all.dk + kv_start, all.dv + kv_start};
  for (int64_t i = 0; i < p.q_len; ++i) std::fill(head.dq + i * row, head.dq + i * row + D, 0.0f);
  output_dots(head.out, head.dout, p.q_len, row, D, scratch.out_dot.get());

  float* dk = scratch.dk.get();
  float* dv = scratch.dv.get();
  for (int64_t j0 = 0; j0 < p.kv_len; j0 += kKeyBlock) {
    const int64_t nk = std::min(kKeyBlock, p.kv_len - j0);
    const float* k_rows = head.k + j0 * row;
    transpose_rows(k_rows, nk, row, D, scratch.k_t.get(), kKeyBlock);
    transpose_rows(head.v + j0 * row, nk, row, D, scratch.v_t.get(), kKeyBlock);
    pack_rows(k_rows, nk, row, D, scratch.k_rows.get());
    // The block's dk, dv rows are written at its end: fetch their lines meanwhile.
    prefetch_rows_for_write(head.dk + j0 * row, nk, row, D);
    prefetch_rows_for_write(head.dv + j0 * row, nk, row, D);
    std::fill(dk, dk + nk * Dp, 0.0f);
    std::fill(dv, dv + nk * Dp, 0.0f);
    // Causal: queries before the first that sees key j0 are skipped entirely.
    for (int64_t i0 = first_query(p, j0); i0 < p.q_len; i0 += kQueryBlock) {
      backward_tile(p, b, i0, std::min(kQueryBlock, p.q_len - i0), j0, nk, head, scratch);
    }
    for (int64_t j = 0; j < nk; ++j) {
      float* dk_row = head.dk + (j0 + j) * row;
      float* dv_row = head.dv + (j0 + j) * row;
      for (int64_t d = 0; d < D; ++d) {
        dk_row[d] = dk[j * Dp + d];
        dv_row[d] = dv[j * Dp + d];
      }
    }
  }
}

}  // namespace

void attention_backward(const AttentionParams& p, const float* q, const float* k, const float* v, const float* out,
                        const float* lse, const float* dout, float* dq, float* dk, float* dv) {
  const HeadPointers all{q, k, v, out, lse, dout, dq, dk, dv};
  const int64_t tasks = p.batch * p.heads;
  const int64_t work = tasks * p.q_len * p.kv_len * p.head_dim;
  const int threads = num_threads();
#pragma omp parallel num_threads(threads) if (work > (1 << 17))
  {
    BackwardScratch scratch(p.head_dim, round_up_columns(p.head_dim), p.q_len);
#pragma omp for schedule(dynamic)
    for (int64_t t = 0; t < tasks; ++t) backward_head(p, t / p.heads, t % p.heads, all, scratch);
  }
}

}  // namespace tessera::kernels::cpu
