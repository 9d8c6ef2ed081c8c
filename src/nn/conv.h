#pragma once
#include "core/rng.h"
#include "nn/module.h"

namespace tessera::nn {

// A square-kernel 2-D convolution with zero padding. Parameters "weight" (out, in, k, k)
// and "bias" (out). Init as PyTorch's: both uniform in +-1/sqrt(in k k), which keeps the
// output's scale near the input's for the SiLU networks the codecs build from it.
class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride, int64_t padding, Rng& rng);
  Tensor forward(const Tensor& x) const;  // x: (N, in, H, W) -> (N, out, Ho, Wo)

  Tensor weight, bias;
  int64_t stride, padding;
};

// The 1-D twin over sequences (the audio codec's convolutions over mel frames). Parameters
// "weight" (out, in, k) and "bias" (out), uniform in +-1/sqrt(in k) as PyTorch's.
class Conv1d : public Module {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride, int64_t padding, Rng& rng);
  Tensor forward(const Tensor& x) const;  // x: (N, in, L) -> (N, out, (L + 2 padding - k) / stride + 1)

  Tensor weight, bias;
  int64_t stride, padding;
};

}  // namespace tessera::nn
