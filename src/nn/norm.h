#pragma once
#include "nn/module.h"

namespace tessera::nn {

// Parameter "weight" (C), init ones.
class RMSNorm : public Module {
 public:
  RMSNorm(int64_t dim, float eps);
  Tensor forward(const Tensor& x) const;  // x: (..., C)

  Tensor weight;
  float eps;
};

// Parameters "weight" (C) init ones, "bias" (C) init zeros when enabled.
class LayerNorm : public Module {
 public:
  LayerNorm(int64_t dim, float eps, bool bias);
  Tensor forward(const Tensor& x) const;  // x: (..., C)

  Tensor weight, bias;
  float eps;
};

}  // namespace tessera::nn
