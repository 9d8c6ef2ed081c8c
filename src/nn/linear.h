#pragma once
#include "core/rng.h"
#include "nn/module.h"

namespace tessera::nn {

// y = x @ weight^T + bias. Parameters: "weight" (out, in), "bias" (out) when enabled.
// Init: weight ~ N(0, init_std^2), the std given by the model (0.02 in GPT-2 style models);
// bias zeros.
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias, float init_std, Rng& rng);
  Tensor forward(const Tensor& x) const;  // x: (..., in) -> (..., out)

  Tensor weight, bias;
};

}  // namespace tessera::nn
