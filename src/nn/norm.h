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

// Over channel groups of channels-first tensors. Parameters "weight" (C) init ones, "bias"
// (C) init zeros; `groups` must divide C.
class GroupNorm : public Module {
 public:
  GroupNorm(int64_t groups, int64_t channels, float eps);
  Tensor forward(const Tensor& x) const;  // x: (N, C, ...)

  Tensor weight, bias;
  int64_t groups;
  float eps;
};

}  // namespace tessera::nn
