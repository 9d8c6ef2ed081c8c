#include "kernels/cpu/conv.h"

#include <algorithm>
#include <cstring>

#include "core/allocator.h"
#include "kernels/cpu/conv_direct.h"
#include "kernels/cpu/conv_rows.h"
#include "kernels/cpu/gemm.h"

namespace tessera::kernels::cpu {

namespace {

constexpr int64_t kParallelWork = 32768;  // below it, one thread: waking the team costs more

// The column matrix of a chunk holds at most this many floats (32 MiB): large enough that
// the GEMMs of codec-sized layers cover the whole batch, small enough for big images.
constexpr int64_t kColumnBudget = int64_t{1} << 23;

struct Sizes {
  int64_t K, P, in_plane, chunk;  // K = Cin kh kw, P = Ho Wo, in_plane = H W, images per chunk
};

Sizes sizes_of(const ConvGeometry& g) {
  const int64_t K = g.in_channels * g.kernel_h * g.kernel_w, P = g.out_h() * g.out_w();
  const int64_t chunk = std::clamp<int64_t>(kColumnBudget / std::max<int64_t>(K * P, 1), 1, g.batch);
  return {K, P, g.in_h * g.in_w, chunk};
}

bool is_pointwise(const ConvGeometry& g) {
  return g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0;
}

// The output columns [lo, hi) of a row whose input column ox * stride - pad + j lies in [0, W).
struct ColumnRange {
  int64_t lo, hi;
};

ColumnRange valid_columns(const ConvGeometry& g, int64_t j) {
  const int64_t first = g.pad_w - j;  // ox * stride must reach it
  const int64_t lo = first <= 0 ? 0 : (first + g.stride_w - 1) / g.stride_w;
  const int64_t last = g.in_w - 1 + g.pad_w - j;  // ox * stride may not pass it
  const int64_t hi = last < 0 ? 0 : std::min(g.out_w(), last / g.stride_w + 1);
  return {lo, std::max(lo, hi)};
}

// col[r, b * P + p] = x[b, ci, iy, ix] for row r = (ci, i, j) and output pixel p = (oy, ox),
// or 0 in the padding. x: (images, Cin, H, W), col: (K, images * P)
void im2col(float* col, const float* x, int64_t images, const ConvGeometry& g, const Sizes& s) {
  const int64_t Ho = g.out_h(), Wo = g.out_w(), cols = images * s.P, taps = g.kernel_h * g.kernel_w;
#pragma omp parallel for collapse(2) schedule(static) if (s.K * cols > kParallelWork)
  for (int64_t b = 0; b < images; ++b) {
    for (int64_t r = 0; r < s.K; ++r) {
      const int64_t ci = r / taps, i = (r / g.kernel_w) % g.kernel_h, j = r % g.kernel_w;
      const float* plane = x + (b * g.in_channels + ci) * s.in_plane;
      const ColumnRange range = valid_columns(g, j);
      for (int64_t oy = 0; oy < Ho; ++oy) {
        float* out = col + r * cols + b * s.P + oy * Wo;
        const int64_t iy = oy * g.stride_h - g.pad_h + i;
        if (iy < 0 || iy >= g.in_h) {
          std::fill(out, out + Wo, 0.0f);
          continue;
        }
        const int64_t base = iy * g.in_w - g.pad_w + j;  // of ox = 0, which may lie in the padding
        std::fill(out, out + range.lo, 0.0f);
        for (int64_t ox = range.lo; ox < range.hi; ++ox) out[ox] = plane[base + ox * g.stride_w];
        std::fill(out + range.hi, out + Wo, 0.0f);
      }
    }
  }
}

// The adjoint of im2col: dx[b, ci] = the sum of every column entry taken from it. Each
// (image, channel) plane is summed by one thread in a fixed order.
// col: (K, images * P), dx: (images, Cin, H, W)
void col2im(float* dx, const float* col, int64_t images, const ConvGeometry& g, const Sizes& s) {
  const int64_t Ho = g.out_h(), Wo = g.out_w(), cols = images * s.P;
#pragma omp parallel for collapse(2) schedule(static) if (s.K * cols > kParallelWork)
  for (int64_t b = 0; b < images; ++b) {
    for (int64_t ci = 0; ci < g.in_channels; ++ci) {
      float* plane = dx + (b * g.in_channels + ci) * s.in_plane;
      std::fill(plane, plane + s.in_plane, 0.0f);
      for (int64_t i = 0; i < g.kernel_h; ++i) {
        for (int64_t j = 0; j < g.kernel_w; ++j) {
          const int64_t r = (ci * g.kernel_h + i) * g.kernel_w + j;
          const ColumnRange range = valid_columns(g, j);
          for (int64_t oy = 0; oy < Ho; ++oy) {
            const int64_t iy = oy * g.stride_h - g.pad_h + i;
            if (iy < 0 || iy >= g.in_h) continue;
            const float* in = col + r * cols + b * s.P + oy * Wo;
            const int64_t base = iy * g.in_w - g.pad_w + j;
            for (int64_t ox = range.lo; ox < range.hi; ++ox) plane[base + ox * g.stride_w] += in[ox];
          }
        }
      }
    }
  }
}

// dst[c, b * P + p] = src[b, c, p]. src: (images, C, P), dst: (C, images * P)
void to_channel_major(float* dst, const float* src, int64_t images, int64_t C, int64_t P) {
#pragma omp parallel for collapse(2) schedule(static) if (images * C * P > kParallelWork)
  for (int64_t c = 0; c < C; ++c) {
    for (int64_t b = 0; b < images; ++b)
      std::memcpy(dst + (c * images + b) * P, src + (b * C + c) * P, P * sizeof(float));
  }
}

// dst[b, c, p] = src[c, b * P + p] + bias[c]. src: (C, images * P), dst: (images, C, P), bias: (C) or null
void from_channel_major(float* dst, const float* src, const float* bias, int64_t images, int64_t C, int64_t P) {
#pragma omp parallel for collapse(2) schedule(static) if (images * C * P > kParallelWork)
  for (int64_t b = 0; b < images; ++b) {
    for (int64_t c = 0; c < C; ++c) {
      const float* in = src + (c * images + b) * P;
      float* out = dst + (b * C + c) * P;
      const float add = bias ? bias[c] : 0.0f;
#pragma omp simd
      for (int64_t p = 0; p < P; ++p) out[p] = in[p] + add;
    }
  }
}

}  // namespace

void conv2d_forward(float* y, const float* x, const float* w, const float* bias, const ConvGeometry& g) {
  const Sizes s = sizes_of(g);
  const int64_t Cout = g.out_channels;
  if (is_pointwise(g)) {  // x's planes already are the column matrices
    gemm_batched(g.batch, false, false, Cout, s.P, s.K, 1.0f, w, 0, x, s.K * s.P, 0.0f, y, Cout * s.P);
    if (bias) add_channel_bias(y, bias, g.batch, Cout, s.P);
    return;
  }
  if (conv_direct_applies(g)) return conv2d_direct_forward(y, x, w, bias, g);
  if (conv_rows_applies(g)) return conv2d_rows_forward(y, x, w, bias, g);
  HostScratch col(s.K * s.chunk * s.P), gathered(s.chunk > 1 ? Cout * s.chunk * s.P : 0);
  for (int64_t n0 = 0; n0 < g.batch; n0 += s.chunk) {
    const int64_t images = std::min(s.chunk, g.batch - n0), cols = images * s.P;
    float* yn = y + n0 * Cout * s.P;
    im2col(col.get(), x + n0 * g.in_channels * s.in_plane, images, g, s);
    // One image's (Cout, P) result already has y's layout; several need reordering.
    float* out = images == 1 ? yn : gathered.get();
    gemm(false, false, Cout, cols, s.K, 1.0f, w, s.K, col.get(), cols, 0.0f, out, cols);
    if (images > 1) {
      from_channel_major(yn, out, bias, images, Cout, s.P);
    } else if (bias) {
      add_channel_bias(yn, bias, 1, Cout, s.P);
    }
  }
}

void conv2d_backward_data(float* dx, const float* dy, const float* w, const ConvGeometry& g) {
  const Sizes s = sizes_of(g);
  const int64_t Cout = g.out_channels;
  if (is_pointwise(g)) {
    gemm_batched(g.batch, true, false, s.K, s.P, Cout, 1.0f, w, 0, dy, Cout * s.P, 0.0f, dx, s.K * s.P);
    return;
  }
  if (conv_direct_applies(g)) return conv2d_direct_backward_data(dx, dy, w, g);
  if (conv_rows_applies(g)) return conv2d_rows_backward_data(dx, dy, w, g);
  HostScratch col(s.K * s.chunk * s.P), gathered(s.chunk > 1 ? Cout * s.chunk * s.P : 0);
  for (int64_t n0 = 0; n0 < g.batch; n0 += s.chunk) {
    const int64_t images = std::min(s.chunk, g.batch - n0), cols = images * s.P;
    const float* dyn = dy + n0 * Cout * s.P;
    if (images > 1) to_channel_major(gathered.get(), dyn, images, Cout, s.P);
    gemm(true, false, s.K, cols, Cout, 1.0f, w, s.K, images > 1 ? gathered.get() : dyn, cols, 0.0f, col.get(), cols);
    col2im(dx + n0 * g.in_channels * s.in_plane, col.get(), images, g, s);
  }
}

void conv2d_backward_weight(float* dw, const float* dy, const float* x, const ConvGeometry& g) {
  const Sizes s = sizes_of(g);
  const int64_t Cout = g.out_channels;
  if (is_pointwise(g)) {
    for (int64_t n = 0; n < g.batch; ++n) {
      gemm(false, true, Cout, s.K, s.P, 1.0f, dy + n * Cout * s.P, s.P, x + n * s.K * s.P, s.P, n > 0 ? 1.0f : 0.0f, dw,
           s.K);
    }
    return;
  }
  if (conv_direct_applies(g)) return conv2d_direct_backward_weight(dw, dy, x, g);
  HostScratch col(s.K * s.chunk * s.P), gathered(s.chunk > 1 ? Cout * s.chunk * s.P : 0);
  for (int64_t n0 = 0; n0 < g.batch; n0 += s.chunk) {
    const int64_t images = std::min(s.chunk, g.batch - n0), cols = images * s.P;
    const float* dyn = dy + n0 * Cout * s.P;
    if (images > 1) to_channel_major(gathered.get(), dyn, images, Cout, s.P);
    im2col(col.get(), x + n0 * g.in_channels * s.in_plane, images, g, s);
    gemm(false, true, Cout, s.K, cols, 1.0f, images > 1 ? gathered.get() : dyn, cols, col.get(), cols,
         n0 > 0 ? 1.0f : 0.0f, dw, s.K);
  }
}

void channel_sums(float* sums, const float* t, int64_t N, int64_t C, int64_t P) {
#pragma omp parallel for schedule(static) if (N * C * P > kParallelWork)
  for (int64_t c = 0; c < C; ++c) {
    double total = 0;  // over N * P terms, which may be many
    for (int64_t n = 0; n < N; ++n) {
      const float* row = t + (n * C + c) * P;
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int64_t p = 0; p < P; ++p) s += row[p];
      total += s;
    }
    sums[c] = static_cast<float>(total);
  }
}

void add_channel_bias(float* t, const float* bias, int64_t N, int64_t C, int64_t P) {
#pragma omp parallel for collapse(2) schedule(static) if (N * C * P > kParallelWork)
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t c = 0; c < C; ++c) {
      float* row = t + (n * C + c) * P;
      const float add = bias[c];
#pragma omp simd
      for (int64_t p = 0; p < P; ++p) row[p] += add;
    }
  }
}

}  // namespace tessera::kernels::cpu
