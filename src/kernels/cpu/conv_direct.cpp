#include "kernels/cpu/conv_direct.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "core/allocator.h"
#include "kernels/cpu/simd16.h"

namespace tessera::kernels::cpu {

namespace {

constexpr int64_t kParallelWork = 32768;        // floats moved: below it, one thread
constexpr int64_t kParallelProducts = 1 << 18;  // multiply-adds: below it, one thread
constexpr int64_t kLanes = 16;                  // output columns per vector
constexpr int64_t kBandRows = 8;                // output rows per forward task

// Accumulators a tile keeps in registers. AVX-512 has 32: 16 for a forward tile leaves
// room for its inputs and a broadcast weight; 27 for a weight tile (3x3 taps of 3 output
// channels) for its 3 vectors of dy and one of x. A Vec16 takes two of AVX2's 16 registers.
// A weight tile's loads were its limit: GCC folded each tap's unaligned load of x into
// every FMA that used it, 30 loads per 27 FMAs, most of them split across cache lines.
// With x's rows aligned and each row's taps shifted out of two aligned loads in registers
// (Vec16::load_shifted), 3 output channels take 9 loads and 6 shifts per 27 FMAs, and the
// emoji codec's 3x3 weight gradients ran 1.15-1.6x faster than 2 channels with folded loads.
// A forward tile takes up to 8 output channels before more columns: 8 x 2 ran at twice
// the speed of 4 x 4 on 64-wide rows, where GCC folds the 4 input loads, each used by only
// 4 FMAs, into the FMAs as memory operands, so 16 (mostly unaligned) loads feed 16 FMAs.
#if defined(__AVX512F__)
constexpr int kForwardAccumulators = 16, kWeightAccumulators = 27;
constexpr int kWeightChannels = 3;  // output channels per weight tile
#else
constexpr int kForwardAccumulators = 4, kWeightAccumulators = 6;
constexpr int kWeightChannels = 2;
#endif
constexpr int kMaxChannels = 8;     // output channels per forward tile
constexpr int kMaxVectors = 4;      // vectors of 16 output columns per forward tile
constexpr int kMaxRows = 3;         // kernel rows per weight tile
constexpr int kMaxKernel = 7;       // kernel width (and height) the weight tiles cover

// Scratch of at least 1 MiB, which the host allocator keeps for the next call
// (core/allocator.h): a smaller block comes from malloc, which on the codec's RGB stem
// (a 1.0 MB padded input) handed back fresh pages, a page fault per 4 KiB, on every call:
// its forward + backward took 4.9 ms instead of 2.5.
HostScratch scratch_floats(int64_t floats) { return HostScratch(std::max<int64_t>(floats, int64_t{1} << 18)); }

// A stack of zero-padded planes: element (r, c) of plane p at p * plane() + r * stride + c.
struct Padded {
  int64_t rows, stride;
  int64_t plane() const { return rows * stride; }
};

// dst[p, top + y, left + x] = src[p, y, x] for `planes` planes of (H, W), zero elsewhere.
// src: (planes, H, W), dst: (planes, d.rows, d.stride)
void pad_planes(float* dst, const Padded& d, const float* src, int64_t planes, int64_t H, int64_t W, int64_t top,
                int64_t left) {
#pragma omp parallel for schedule(static) if (planes * d.plane() > kParallelWork)
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t r = 0; r < d.rows; ++r) {
      float* out = dst + p * d.plane() + r * d.stride;
      const int64_t y = r - top;
      if (y < 0 || y >= H) {
        std::fill(out, out + d.stride, 0.0f);
        continue;
      }
      std::fill(out, out + left, 0.0f);
      std::memcpy(out + left, src + (p * H + y) * W, W * sizeof(float));
      std::fill(out + left + W, out + d.stride, 0.0f);
    }
  }
}

// A convolution's outputs, computed in whole vectors of 16 columns per row, and the padded
// input those vectors read: every tap of every vector, the columns past Wo included, lands
// inside it (x itself at row pad_h, column pad_w).
struct Sizes {
  int64_t Ho, Wo, vectors;
  Padded in;
};

Sizes sizes_of(const ConvGeometry& g) {
  const int64_t Wo = g.out_w(), vectors = (Wo + kLanes - 1) / kLanes;
  return {g.out_h(), Wo, vectors, {g.in_h + 2 * g.pad_h, vectors * kLanes + g.kernel_w - 1}};
}

// What a forward tile reads besides its pointers.
struct ForwardShape {
  int64_t Cin, kh, kw;
  int64_t in_plane, in_stride;  // of the padded input
  int64_t taps_ld;              // Cout: taps[k, co] lies at k * taps_ld + co
  int64_t out_plane;            // Ho Wo
};

// out[c, 16 v + l] = bias[c] + the sum over ci, i, j (in that order) of
// in[ci, i, 16 v + l + j] taps[(ci kh + i) kw + j, c] for c < Channels, v < Vectors, l < 16;
// of the columns only the first `valid` are stored. in: the padded input at the tile's
// first row and column; taps, bias: at the tile's first output channel; out: y there.
template <int Channels, int Vectors>
void forward_tile(float* out, int64_t valid, const float* in, const float* taps, const float* bias,
                  const ForwardShape& s) {
  Vec16 acc[Channels][Vectors];
  for (int c = 0; c < Channels; ++c)
    for (int v = 0; v < Vectors; ++v) acc[c][v] = Vec16::broadcast(bias ? bias[c] : 0.0f);
  for (int64_t ci = 0; ci < s.Cin; ++ci) {
    for (int64_t i = 0; i < s.kh; ++i) {
      const float* row = in + ci * s.in_plane + i * s.in_stride;
      const float* tap = taps + (ci * s.kh + i) * s.kw * s.taps_ld;
      for (int64_t j = 0; j < s.kw; ++j, tap += s.taps_ld) {
        Vec16 x[Vectors];
        for (int v = 0; v < Vectors; ++v) x[v] = Vec16::load(row + j + kLanes * v);
        for (int c = 0; c < Channels; ++c) {
          const Vec16 w = Vec16::broadcast(tap[c]);
          for (int v = 0; v < Vectors; ++v) acc[c][v] = fma(x[v], w, acc[c][v]);
        }
      }
    }
  }
  for (int c = 0; c < Channels; ++c) {
    for (int v = 0; v < Vectors; ++v) {
      float* dst = out + c * s.out_plane + kLanes * v;
      const int64_t columns = valid - kLanes * v;
      if (columns >= kLanes) {
        acc[c][v].store(dst);
      } else if (columns > 0) {  // the row's last vector: its tail would spill into the next row
        float part[kLanes];
        acc[c][v].store(part);
        std::copy(part, part + columns, dst);
      }
    }
  }
}

using ForwardTile = void (*)(float*, int64_t, const float*, const float*, const float*, const ForwardShape&);

// table[channels - 1][vectors - 1]: every tile shape an edge of Cout or Wo can leave.
struct ForwardTiles {
  ForwardTile table[kMaxChannels][kMaxVectors];
  constexpr ForwardTiles() : table{} { fill<1, 1>(); }
  template <int Channels, int Vectors>
  constexpr void fill() {
    table[Channels - 1][Vectors - 1] = &forward_tile<Channels, Vectors>;
    if constexpr (Vectors < kMaxVectors) {
      fill<Channels, Vectors + 1>();
    } else if constexpr (Channels < kMaxChannels) {
      fill<Channels + 1, 1>();
    }
  }
};

constexpr ForwardTiles kForwardTiles;

// y = conv(x) + bias with the kernel taps-major, taps[(ci kh + i) kw + j, co] = w[co, ci, i, j],
// so that a tile's output channels read adjacent weights. Tasks are (image, block of output
// channels, band of rows), each output element computed by one of them.
// x: (N, Cin, H, W), taps: (Cin kh kw, Cout), bias: (Cout) or null, y: (N, Cout, Ho, Wo)
void forward_by_taps(float* y, const float* x, const float* taps, const float* bias, const ConvGeometry& g) {
  const Sizes z = sizes_of(g);
  const int64_t N = g.batch, Cin = g.in_channels, Cout = g.out_channels;
  HostScratch padded = scratch_floats(N * Cin * z.in.plane());
  pad_planes(padded.get(), z.in, x, N * Cin, g.in_h, g.in_w, g.pad_h, g.pad_w);
  const ForwardShape s{Cin, g.kernel_h, g.kernel_w, z.in.plane(), z.in.stride, Cout, z.Ho * z.Wo};
  // As many output channels as fit, then as many vectors as the accumulators left allow.
  const int64_t channels = std::min<int64_t>(kMaxChannels, Cout);
  const int64_t vectors =
      std::clamp<int64_t>(kForwardAccumulators / channels, 1, std::min<int64_t>(kMaxVectors, z.vectors));
  const int64_t blocks = (Cout + channels - 1) / channels, bands = (z.Ho + kBandRows - 1) / kBandRows;
  const int64_t products = N * Cout * s.out_plane * Cin * s.kh * s.kw;
#pragma omp parallel for collapse(3) schedule(static) if (products > kParallelProducts)
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t b = 0; b < blocks; ++b) {
      for (int64_t band = 0; band < bands; ++band) {
        const int64_t co = b * channels, width = std::min(channels, Cout - co);
        const float* image = padded.get() + n * Cin * s.in_plane;
        float* out = y + (n * Cout + co) * s.out_plane;
        for (int64_t oy = band * kBandRows; oy < std::min(z.Ho, (band + 1) * kBandRows); ++oy) {
          for (int64_t v = 0; v < z.vectors; v += vectors) {
            const int64_t ox = v * kLanes, count = std::min(vectors, z.vectors - v);
            kForwardTiles.table[width - 1][count - 1](out + oy * z.Wo + ox, z.Wo - ox, image + oy * s.in_stride + ox,
                                                      taps + co, bias ? bias + co : nullptr, s);
          }
        }
      }
    }
  }
}

// What a weight tile reads besides its pointers.
struct WeightShape {
  int64_t Ho, vectors;
  int64_t dy_plane, dy_stride;  // of dy, its rows whole vectors
  int64_t x_stride;             // of the padded input
  int64_t dw_channel, kw;       // Cin kh kw (from dw[co] to dw[co + 1]) and kw
};

// acc[c][r][j] += d[c] * in for c < Channels.
template <int Channels, class Acc>
void tap_products(Acc& acc, int r, int j, const Vec16* d, Vec16 in) {
  for (int c = 0; c < Channels; ++c) acc[c][r][j] = fma(d[c], in, acc[c][r][j]);
}

// totals[c, r, j] += the sum over oy, v and l of dy[c, oy, 16 v + l] x[oy + r, 16 v + l + j]
// for c < Channels, r < Rows, j < KW: one image's share of dw[co + c, ci, i + r, j], summed
// in floats per lane, then across the lanes. dy: the image's dy at channel co; x: its padded
// input channel ci at row i; totals: the double sums of dw at (co, ci, i, 0).
// x's rows start on 64-byte boundaries and hold a whole vector past the last tap, so each
// row's taps come from two aligned loads (Vec16::load_shifted).
template <int Channels, int Rows, int KW>
void weight_tile(double* totals, const float* dy, const float* x, const WeightShape& s) {
  Vec16 acc[Channels][Rows][KW];
  for (int c = 0; c < Channels; ++c)
    for (int r = 0; r < Rows; ++r)
      for (int j = 0; j < KW; ++j) acc[c][r][j] = Vec16::zero();
  for (int64_t oy = 0; oy < s.Ho; ++oy) {
    for (int64_t v = 0; v < s.vectors; ++v) {
      Vec16 d[Channels];
      for (int c = 0; c < Channels; ++c) d[c] = Vec16::load(dy + c * s.dy_plane + oy * s.dy_stride + kLanes * v);
      for (int r = 0; r < Rows; ++r) {
        const float* row = x + (oy + r) * s.x_stride + kLanes * v;
        const Vec16 here = Vec16::load(row), next = Vec16::load(row + kLanes);
        [&]<int... J>(std::integer_sequence<int, J...>) {
          ((tap_products<Channels>(acc, r, J, d, Vec16::load_shifted<J>(row, here, next))), ...);
        }(std::make_integer_sequence<int, KW>{});
      }
    }
  }
  for (int c = 0; c < Channels; ++c)
    for (int r = 0; r < Rows; ++r)
      for (int j = 0; j < KW; ++j) totals[c * s.dw_channel + r * s.kw + j] += acc[c][r][j].sum();
}

using WeightTile = void (*)(double*, const float*, const float*, const WeightShape&);

// table[channels - 1][rows - 1][kw - 1]
struct WeightTiles {
  WeightTile table[kWeightChannels][kMaxRows][kMaxKernel];
  constexpr WeightTiles() : table{} { fill<1, 1, 1>(); }
  template <int Channels, int Rows, int KW>
  constexpr void fill() {
    table[Channels - 1][Rows - 1][KW - 1] = &weight_tile<Channels, Rows, KW>;
    if constexpr (KW < kMaxKernel) {
      fill<Channels, Rows, KW + 1>();
    } else if constexpr (Rows < kMaxRows) {
      fill<Channels, Rows + 1, 1>();
    } else if constexpr (Channels < kWeightChannels) {
      fill<Channels + 1, 1, 1>();
    }
  }
};

constexpr WeightTiles kWeightTiles;

// Kernel rows per weight tile: the most (dividing kh) whose accumulators fit the registers.
int64_t weight_rows(const ConvGeometry& g) {
  for (int64_t rows = kMaxRows; rows > 1; --rows) {
    if (g.kernel_h % rows == 0 && kWeightChannels * rows * g.kernel_w <= kWeightAccumulators) return rows;
  }
  return 1;
}

}  // namespace

bool conv_direct_applies(const ConvGeometry& g) {
  constexpr int64_t kMaxChannelsEitherSide = 64;  // measured: see conv_direct.h
  return g.stride_h == 1 && g.stride_w == 1 && g.kernel_h * g.kernel_w > 1 && g.kernel_h <= kMaxKernel &&
         g.kernel_w <= kMaxKernel && g.pad_h < g.kernel_h && g.pad_w < g.kernel_w &&
         std::max(g.in_channels, g.out_channels) <= kMaxChannelsEitherSide;
}

void conv2d_direct_forward(float* y, const float* x, const float* w, const float* bias, const ConvGeometry& g) {
  const int64_t Cout = g.out_channels, K = g.in_channels * g.kernel_h * g.kernel_w;
  HostScratch taps(K * Cout);
  for (int64_t co = 0; co < Cout; ++co)
    for (int64_t k = 0; k < K; ++k) taps.get()[k * Cout + co] = w[co * K + k];
  forward_by_taps(y, x, taps.get(), bias, g);
}

void conv2d_direct_backward_data(float* dx, const float* dy, const float* w, const ConvGeometry& g) {
  // dx is the stride-1 convolution of dy, padded by k - 1 - pad, with the kernel flipped
  // in both directions and its channel axes swapped.
  const int64_t Cout = g.out_channels, Cin = g.in_channels, kh = g.kernel_h, kw = g.kernel_w;
  const ConvGeometry flipped{g.batch, Cout, g.out_h(),        g.out_w(),       Cin, kh, kw,
                             1,       1,    kh - 1 - g.pad_h, kw - 1 - g.pad_w};
  HostScratch taps(Cout * kh * kw * Cin);
  for (int64_t co = 0; co < Cout; ++co)
    for (int64_t ci = 0; ci < Cin; ++ci)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j)
          taps.get()[((co * kh + i) * kw + j) * Cin + ci] =
              w[((co * Cin + ci) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)];
  forward_by_taps(dx, dy, taps.get(), nullptr, flipped);
}

void conv2d_direct_backward_weight(float* dw, const float* dy, const float* x, const ConvGeometry& g) {
  const Sizes z = sizes_of(g);
  const int64_t N = g.batch, Cin = g.in_channels, Cout = g.out_channels, kh = g.kernel_h, kw = g.kernel_w;
  // x's rows padded to whole vectors, one more than a row's outputs span, as weight_tile reads.
  const Padded xin{z.in.rows, (z.vectors + 1) * kLanes};
  HostScratch padded = scratch_floats(N * Cin * xin.plane());
  pad_planes(padded.get(), xin, x, N * Cin, g.in_h, g.in_w, g.pad_h, g.pad_w);
  // dy as it is when its rows are whole vectors, else padded with zero columns, which
  // cancel the columns past Wo that a vector of x reads.
  const Padded dz{z.Ho, z.vectors * kLanes};
  const bool whole = z.Wo == dz.stride;
  HostScratch dy_padded = whole ? HostScratch(0) : scratch_floats(N * Cout * dz.plane());
  if (!whole) pad_planes(dy_padded.get(), dz, dy, N * Cout, z.Ho, z.Wo, 0, 0);
  const float* dy_rows = whole ? dy : dy_padded.get();
  const WeightShape s{z.Ho, z.vectors, dz.plane(), dz.stride, xin.stride, Cin * kh * kw, kw};
  const int64_t rows = weight_rows(g), tasks = (Cout + kWeightChannels - 1) / kWeightChannels * Cin;
  std::vector<double> totals(static_cast<size_t>(Cout * Cin * kh * kw), 0.0);
  const int64_t products = N * Cout * z.Ho * z.Wo * Cin * kh * kw;
  // Each thread owns a fixed range of (output channel block, input channel) tasks and walks
  // the images in order, so an image's dy and x stay in its cache while all its tasks read
  // them, and every dw element is still summed image by image in one order.
#pragma omp parallel if (products > kParallelProducts)
  {
    const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t first = tasks * t / threads, last = tasks * (t + 1) / threads;
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t task = first; task < last; ++task) {
        const int64_t co = task / Cin * kWeightChannels, ci = task % Cin;
        const int64_t channels = std::min<int64_t>(kWeightChannels, Cout - co);
        const float* dyn = dy_rows + (n * Cout + co) * s.dy_plane;
        const float* xn = padded.get() + (n * Cin + ci) * xin.plane();
        const WeightTile tile = kWeightTiles.table[channels - 1][rows - 1][kw - 1];
        for (int64_t i = 0; i < kh; i += rows)
          tile(totals.data() + ((co * Cin + ci) * kh + i) * kw, dyn, xn + i * s.x_stride, s);
      }
    }
  }
  for (size_t k = 0; k < totals.size(); ++k) dw[k] = static_cast<float>(totals[k]);
}

}  // namespace tessera::kernels::cpu
