#pragma once
// AdamW with decoupled weight decay and bias correction (the PyTorch formulation).
// By default matrices decay and vectors (norm gains, biases) do not, as in GPT-2/nanoGPT.
#include <string>
#include <vector>

#include "io/safetensors.h"
#include "nn/module.h"

namespace tessera::optim {

struct AdamWConfig {
  float beta1 = 0.9f;
  float beta2 = 0.95f;
  float eps = 1e-8f;
  float weight_decay = 0.1f;
};

class AdamW {
 public:
  struct Param {
    std::string name;
    Tensor value;
    bool decay;
    Tensor m, v;  // first and second moments, zero-initialized
  };

  AdamW(const nn::NamedTensors& params, AdamWConfig config);

  // Updates every parameter that has a gradient, with learning rate `lr`.
  void step(float lr);
  int64_t steps() const { return steps_; }
  const std::vector<Param>& params() const { return params_; }

  // The moments and the step count, for checkpoints ("m.<name>", "v.<name>", "step").
  nn::NamedTensors state() const;
  // Restores a state saved by state(); `source` names the file in errors.
  void load_state(const Safetensors& state);

 private:
  AdamWConfig config_;
  std::vector<Param> params_;
  int64_t steps_ = 0;
};

}  // namespace tessera::optim
