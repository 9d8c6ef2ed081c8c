#pragma once
// Direct stride-1 convolution for thin and middling channels: no unfolded matrix and no
// GEMM, the sums taken straight from a zero-padded copy of the input by register-blocked
// tiles (simd16.h).
//
// With few channels the GEMMs of the other paths are slivers (K = Cin kh kw = 27 for an RGB
// stem, M = 3 for an RGB output) that OpenBLAS runs far below its speed, after an unfold
// that moves kw or kh kw times the input. Up to 64 channels the tiles here still win: they
// use 512-bit vectors, where Debian's OpenBLAS runs its AVX2 (Haswell) kernels on AMD.
//
// A forward tile holds up to 8 output channels times up to 4 vectors of 16 output columns
// of one row in registers and adds every (ci, i, j) tap to them: one load of 16 inputs
// feeds an FMA per output channel of the tile. The data gradient is the same kernel on dy,
// padded by k - 1 - pad, with the kernel flipped and its channel axes swapped. The weight
// gradient holds one (block of co: 3 with AVX-512, 2 with AVX2; ci) slice of dw for a few kernel rows in registers, as
// 16-lane partial sums over the columns of an image, while the rows of dy and x stream past.
//
// Every output element is summed by one thread in a fixed order (forward: bias, then ci, i,
// j; weight gradient: per image in floats, images added in order in double), so results do
// not depend on the thread count.
#include "kernels/cpu/conv.h"

namespace tessera::kernels::cpu {

// Stride 1 in both directions, a kernel larger than 1x1 and at most 7x7, padding below the
// kernel size (the data gradient's flipped padding k - 1 - pad must not be negative), and
// at most 64 channels on either side. The rule comes from timing this path against the
// ones before it (conv_rows for 16 channels or more, else im2col) on 2 AVX-512 cores of a
// shared machine (so to perhaps 20%), batch 16, 3x3, as forward / data gradient / weight
// gradient speed-ups: 16->16 at 64x64 2.2 / 2.1 / 3.4x, 32->32 at 32x32 1.7 / 1.8 / 1.9x,
// 32->64 at 32x32 2.7 / 2.9 / 1.5x, 64->64 at 32x32 2.4 / 2.3 / 1.2x, 64->64 at 16x16
// 1.2-2.0 / 1.7-1.9 / 0.8-0.95x, 1-D 64->64 over 1024 1.6 / 1.6 / 1.6x. Wider, the weight
// gradient falls behind (0.9x at 128->128 16x16, 0.5x at 8x8; 0.7x at 16->128 16x16 and
// 80->64 1-D), though the forward still keeps up.
bool conv_direct_applies(const ConvGeometry& g);

// y = conv(x, w) + bias, as conv2d_forward (conv.h), for geometries where conv_direct_applies.
// x: (N, Cin, H, W), w: (Cout, Cin, kh, kw), bias: (Cout) or null, y: (N, Cout, Ho, Wo)
void conv2d_direct_forward(float* y, const float* x, const float* w, const float* bias, const ConvGeometry& g);

// dx = the gradient of conv(x, w) in x, written over dx, as conv2d_backward_data.
// dy: (N, Cout, Ho, Wo), w: (Cout, Cin, kh, kw), dx: (N, Cin, H, W)
void conv2d_direct_backward_data(float* dx, const float* dy, const float* w, const ConvGeometry& g);

// dw = the gradient of conv(x, w) in w, written over dw, as conv2d_backward_weight.
// dy: (N, Cout, Ho, Wo), x: (N, Cin, H, W), dw: (Cout, Cin, kh, kw)
void conv2d_direct_backward_weight(float* dw, const float* dy, const float* x, const ConvGeometry& g);

}  // namespace tessera::kernels::cpu
