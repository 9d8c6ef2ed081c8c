#pragma once
// Convolutions with PyTorch's semantics (cross-correlation, zero padding, no dilation or
// groups). The bias is optional: pass an undefined tensor for none. 1-D convolutions run
// on the 2-D kernels with a height of 1.
#include <cstdint>

#include "core/tensor.h"

namespace tessera {

// x: (N, Cin, H, W), weight: (Cout, Cin, kh, kw), bias: (Cout) -> (N, Cout, Ho, Wo),
// Ho = (H + 2 padding - kh) / stride + 1, Wo likewise.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride = 1, int64_t padding = 0);

// The adjoint of conv2d in its input (the upsampling convolution of decoders).
// x: (N, Cin, H, W), weight: (Cin, Cout, kh, kw), bias: (Cout) -> (N, Cout, Ho, Wo),
// Ho = (H - 1) stride - 2 padding + kh + output_padding, Wo likewise; output_padding < stride
// picks among the output sizes that stride-`stride` convolution maps back to H.
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride = 1,
                        int64_t padding = 0, int64_t output_padding = 0);

// x: (N, Cin, L), weight: (Cout, Cin, k), bias: (Cout) -> (N, Cout, (L + 2 padding - k) / stride + 1)
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride = 1, int64_t padding = 0);

// x: (N, Cin, L), weight: (Cin, Cout, k), bias: (Cout)
// -> (N, Cout, (L - 1) stride - 2 padding + k + output_padding)
Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride = 1,
                        int64_t padding = 0, int64_t output_padding = 0);

}  // namespace tessera
