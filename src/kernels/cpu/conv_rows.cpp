#include "kernels/cpu/conv_rows.h"

#include <algorithm>
#include <cstring>

#include "core/allocator.h"
#include "kernels/cpu/gemm.h"

namespace tessera::kernels::cpu {

namespace {

constexpr int64_t kParallelWork = 32768;  // below it, one thread: waking the team costs more

// The unfolded matrix of a chunk holds at most this many floats (32 MiB), as im2col's.
constexpr int64_t kRowsBudget = int64_t{1} << 23;

// The padded grid of a geometry and the lengths of its buffers for a chunk of images.
struct Grid {
  int64_t Hp, Wp, plane, Ho, Wo;
  int64_t K;      // Cin kw: rows of the unfolded matrix
  int64_t chunk;  // images per chunk
  int64_t kh, kw;

  int64_t cols(int64_t images) const { return images * plane; }
  // Columns of the unfolded matrix: kernel row i reads [i Wp, i Wp + cols).
  int64_t row_length(int64_t images) const { return cols(images) + (kh - 1) * Wp; }
  // Columns of the padded input: unfolded column q, tap j reads q + j.
  int64_t padded_length(int64_t images) const { return row_length(images) + kw - 1; }
};

Grid grid_of(const ConvGeometry& g) {
  Grid r{};
  r.Hp = g.in_h + 2 * g.pad_h;
  r.Wp = g.in_w + 2 * g.pad_w;
  r.plane = r.Hp * r.Wp;
  r.Ho = g.out_h();
  r.Wo = g.out_w();
  r.K = g.in_channels * g.kernel_w;
  r.kh = g.kernel_h;
  r.kw = g.kernel_w;
  const int64_t widest = std::max(r.K, g.out_channels);
  r.chunk = std::clamp<int64_t>(kRowsBudget / std::max<int64_t>(widest * r.plane, 1), 1, g.batch);
  return r;
}

// xpad[c, n Hp Wp + (y + ph) Wp + x + pw] = x[n, c, y, x], zero elsewhere up to `length`.
// x: (images, C, H, W), xpad: (C, length)
void pad_channel_major(float* xpad, int64_t length, const float* x, int64_t images, const ConvGeometry& g,
                       const Grid& r) {
  const int64_t C = g.in_channels, H = g.in_h, W = g.in_w;
#pragma omp parallel for schedule(static) if (C * length > kParallelWork)
  for (int64_t c = 0; c < C; ++c) {
    float* row = xpad + c * length;
    std::fill(row, row + length, 0.0f);
    for (int64_t n = 0; n < images; ++n) {
      const float* src = x + (n * C + c) * H * W;
      float* dst = row + n * r.plane + g.pad_h * r.Wp + g.pad_w;
      for (int64_t y = 0; y < H; ++y) std::memcpy(dst + y * r.Wp, src + y * W, W * sizeof(float));
    }
  }
}

// rows[c kw + j, q] = xpad[c, q + j]. xpad: (C, length + kw - 1), rows: (C kw, length)
void unfold_rows(float* rows, const float* xpad, int64_t C, int64_t length, int64_t kw) {
#pragma omp parallel for collapse(2) schedule(static) if (C * kw * length > kParallelWork)
  for (int64_t c = 0; c < C; ++c) {
    for (int64_t j = 0; j < kw; ++j)
      std::memcpy(rows + (c * kw + j) * length, xpad + c * (length + kw - 1) + j, length * sizeof(float));
  }
}

// y[n, c, oy, ox] = grid[c, n Hp Wp + oy Wp + ox] + bias[c]. grid: (C, images Hp Wp),
// y: (images, C, Ho, Wo), bias: (C) or null
void crop_grid(float* y, const float* grid, const float* bias, int64_t images, int64_t C, const Grid& r) {
  const int64_t cols = r.cols(images);
#pragma omp parallel for collapse(2) schedule(static) if (images * C * r.plane > kParallelWork)
  for (int64_t n = 0; n < images; ++n) {
    for (int64_t c = 0; c < C; ++c) {
      const float add = bias ? bias[c] : 0.0f;
      for (int64_t oy = 0; oy < r.Ho; ++oy) {
        const float* in = grid + c * cols + n * r.plane + oy * r.Wp;
        float* out = y + ((n * C + c) * r.Ho + oy) * r.Wo;
#pragma omp simd
        for (int64_t ox = 0; ox < r.Wo; ++ox) out[ox] = in[ox] + add;
      }
    }
  }
}

// y = conv(x) with the kernel given per kernel row: weight_rows[i, co, ci kw + j] = w[co, ci, i, j].
// x: (N, Cin, H, W), weight_rows: (kh, Cout, Cin kw), y: (N, Cout, Ho, Wo)
void forward_by_rows(float* y, const float* x, const float* weight_rows, const float* bias, const ConvGeometry& g) {
  const Grid r = grid_of(g);
  const int64_t Cout = g.out_channels;
  HostScratch xpad(g.in_channels * r.padded_length(r.chunk)), rows(r.K * r.row_length(r.chunk)),
      out(Cout * r.cols(r.chunk));
  for (int64_t n0 = 0; n0 < g.batch; n0 += r.chunk) {
    const int64_t images = std::min(r.chunk, g.batch - n0), cols = r.cols(images), length = r.row_length(images);
    pad_channel_major(xpad.get(), r.padded_length(images), x + n0 * g.in_channels * g.in_h * g.in_w, images, g, r);
    unfold_rows(rows.get(), xpad.get(), g.in_channels, length, r.kw);
    for (int64_t i = 0; i < r.kh; ++i) {
      gemm(false, false, Cout, cols, r.K, 1.0f, weight_rows + i * Cout * r.K, r.K, rows.get() + i * r.Wp, length,
           i > 0 ? 1.0f : 0.0f, out.get(), cols);
    }
    crop_grid(y + n0 * Cout * r.Ho * r.Wo, out.get(), bias, images, Cout, r);
  }
}

}  // namespace

bool conv_rows_applies(const ConvGeometry& g) {
  // With few channels on either side one of the three GEMMs is a sliver (3 rows for an RGB
  // image's data gradient) that OpenBLAS runs far below its speed; im2col's GEMMs are not.
  constexpr int64_t kMinChannels = 16;
  return std::min(g.in_channels, g.out_channels) >= kMinChannels && g.stride_h == 1 && g.stride_w == 1 && g.kernel_h * g.kernel_w > 1 && g.pad_h < g.kernel_h &&
         g.pad_w < g.kernel_w;
}

void conv2d_rows_forward(float* y, const float* x, const float* w, const float* bias, const ConvGeometry& g) {
  const int64_t Cout = g.out_channels, Cin = g.in_channels, kh = g.kernel_h, kw = g.kernel_w;
  HostScratch weight_rows(kh * Cout * Cin * kw);
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t co = 0; co < Cout; ++co)
      for (int64_t ci = 0; ci < Cin; ++ci)
        for (int64_t j = 0; j < kw; ++j)
          weight_rows.get()[((i * Cout + co) * Cin + ci) * kw + j] = w[((co * Cin + ci) * kh + i) * kw + j];
  forward_by_rows(y, x, weight_rows.get(), bias, g);
}

void conv2d_rows_backward_data(float* dx, const float* dy, const float* w, const ConvGeometry& g) {
  // dx is the stride-1 convolution of dy, padded by k - 1 - pad, with the kernel flipped
  // in both directions and its channel axes swapped.
  const int64_t Cout = g.out_channels, Cin = g.in_channels, kh = g.kernel_h, kw = g.kernel_w;
  const ConvGeometry flipped{g.batch, Cout, g.out_h(), g.out_w(), Cin, kh, kw, 1, 1, kh - 1 - g.pad_h, kw - 1 - g.pad_w};
  HostScratch weight_rows(kh * Cin * Cout * kw);
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t ci = 0; ci < Cin; ++ci)
      for (int64_t co = 0; co < Cout; ++co)
        for (int64_t j = 0; j < kw; ++j)
          weight_rows.get()[((i * Cin + ci) * Cout + co) * kw + j] =
              w[((co * Cin + ci) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)];
  forward_by_rows(dx, dy, weight_rows.get(), nullptr, flipped);
}

}  // namespace tessera::kernels::cpu
