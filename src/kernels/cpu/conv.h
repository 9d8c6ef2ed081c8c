#pragma once
// 2-D convolution (cross-correlation, as in PyTorch), tried in this order: 1x1 kernels at
// stride 1 without padding are plain GEMMs. Stride-1 kernels with at most 64 channels on
// either side are computed directly, without BLAS, by conv_direct.h (all three: output,
// data and weight gradient). Other stride-1 kernels compute the output and the data gradient through
// conv_rows.h (the kernel's rows as shifts of a row-unfolded input). The rest, and those
// kernels' weight gradients, unfold the patches of a chunk of images into one column
// matrix (im2col), so each GEMM spans the whole chunk:
// (Cout, K) @ (K, images * Ho * Wo) with K = Cin * kh * kw. Chunks bound the scratch
// memory. The unfold and fold loops run on OpenMP threads between the GEMMs, never around
// them. 1-D convolutions are these with H = 1; transposed convolutions are the data
// gradient of a convolution (and their gradients the convolution itself). The direct path
// and our own loops sum in a fixed order whatever the thread count; the BLAS paths are
// fixed per thread count only, since OpenBLAS splits a GEMM's sums by its thread count on
// some CPUs.
#include <cstdint>

namespace tessera::kernels::cpu {

// The sizes of one convolution: input (batch, in_channels, in_h, in_w), weight
// (out_channels, in_channels, kernel_h, kernel_w), output (batch, out_channels, out_h(), out_w()).
struct ConvGeometry {
  int64_t batch, in_channels, in_h, in_w;
  int64_t out_channels, kernel_h, kernel_w;
  int64_t stride_h, stride_w, pad_h, pad_w;

  int64_t out_h() const { return (in_h + 2 * pad_h - kernel_h) / stride_h + 1; }
  int64_t out_w() const { return (in_w + 2 * pad_w - kernel_w) / stride_w + 1; }
};

// y = conv(x, w) + bias. x: (N, Cin, H, W), w: (Cout, Cin, kh, kw), bias: (Cout) or null,
// y: (N, Cout, Ho, Wo)
void conv2d_forward(float* y, const float* x, const float* w, const float* bias, const ConvGeometry& g);

// dx = the gradient of conv(x, w) in x, written over dx (the transposed convolution of dy).
// dy: (N, Cout, Ho, Wo), w: (Cout, Cin, kh, kw), dx: (N, Cin, H, W)
void conv2d_backward_data(float* dx, const float* dy, const float* w, const ConvGeometry& g);

// dw = the gradient of conv(x, w) in w, written over dw.
// dy: (N, Cout, Ho, Wo), x: (N, Cin, H, W), dw: (Cout, Cin, kh, kw)
void conv2d_backward_weight(float* dw, const float* dy, const float* x, const ConvGeometry& g);

// sums[c] = sum over n and p of t[n, c, p], the gradient of a per-channel bias.
// t: (N, C, P), sums: (C)
void channel_sums(float* sums, const float* t, int64_t N, int64_t C, int64_t P);

// t[n, c, p] += bias[c]. t: (N, C, P), bias: (C)
void add_channel_bias(float* t, const float* bias, int64_t N, int64_t C, int64_t P);

}  // namespace tessera::kernels::cpu
