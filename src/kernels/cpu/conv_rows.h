#pragma once
// Stride-1 convolution without the full im2col: the kernel's rows become pointer shifts.
//
// A chunk of images is laid out channel-major and zero-padded, (Cin, images, Hp, Wp)
// flattened to one row per channel. An output pixel q = (n, oy, ox) of the padded grid
// reads input q + i Wp + j for kernel tap (i, j), so after unfolding only the kw taps of a
// kernel row, R[(ci, j), q] = xpad[ci, q + j], kernel row i is the same matrix started
// i Wp columns later. The output is kh GEMMs (Cout, Cin kw) @ R[:, i Wp :] accumulating into
// a padded output grid, whose Wp - Wo (and Hp - Ho) extra columns (rows) are dropped.
// The unfold is kw times the input instead of im2col's kh kw times, and the data gradient,
// a stride-1 convolution of dy with the flipped kernel, needs no fold-back (col2im) at all.
#include "kernels/cpu/conv.h"

namespace tessera::kernels::cpu {

// Stride 1 in both directions, a kernel wider or taller than 1, padding below the kernel
// size (as the flipped convolution of the data gradient needs) and 16 channels or more
// in and out. conv.cpp tries conv_direct.h first, so of these only the geometries too wide
// for it (conv_direct_applies) come here.
bool conv_rows_applies(const ConvGeometry& g);

// As conv2d_forward and conv2d_backward_data (conv.h), for geometries where
// conv_rows_applies. The weight gradient stays with im2col: as kernel-row GEMMs its long
// inner dimension made OpenBLAS's sums depend on the thread count.
// x: (N, Cin, H, W), w: (Cout, Cin, kh, kw), bias: (Cout) or null, y: (N, Cout, Ho, Wo)
void conv2d_rows_forward(float* y, const float* x, const float* w, const float* bias, const ConvGeometry& g);
// dy: (N, Cout, Ho, Wo), w: (Cout, Cin, kh, kw), dx: (N, Cin, H, W)
void conv2d_rows_backward_data(float* dx, const float* dy, const float* w, const ConvGeometry& g);

}  // namespace tessera::kernels::cpu
