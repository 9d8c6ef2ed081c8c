#pragma once
// Finite scalar quantization (autograd/fsq.h): each latent channel bounded and rounded to
// its level count, the code the mixed-radix number of the levels. No state, no extra loss.
#include <vector>

#include "codecs/image/quantizer.h"

namespace tessera::codecs {

class FsqQuantizer : public Quantizer {
 public:
  explicit FsqQuantizer(std::vector<int32_t> levels) : levels_(std::move(levels)) {}
  Quantized quantize(const Tensor& latents, Rng* training) override;
  Tensor lookup(const Tensor& ids, int64_t grid_height, int64_t grid_width) const override;

 private:
  std::vector<int32_t> levels_;
};

}  // namespace tessera::codecs
