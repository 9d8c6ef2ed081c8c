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
    Tensor m, v;        // first and second moments, zero-initialized; undefined when another rank keeps them
    int64_t steps = 0;  // updates this parameter received (it skips steps without a gradient)
  };

  // Every parameter must be a defined f32 tensor with a name of its own.
  AdamW(const nn::NamedTensors& params, AdamWConfig config);

  // Updates every parameter that has a gradient, with learning rate `lr`. As in PyTorch,
  // a parameter without a gradient is left alone and its bias correction does not advance.
  void step(float lr);
  int64_t steps() const { return steps_; }

  // ZeRO stage 1: keeps the moments of the parameters `owned` marks (one flag per parameter,
  // in order) and frees the others'; step() then updates only the kept ones, whose owners
  // (other ranks) update the rest. state() needs every moment, so it refuses after this.
  void keep_only(const std::vector<bool>& owned);
  const std::vector<Param>& params() const { return params_; }

  // The moments and step counts, for checkpoints: "m.<name>", "v.<name>", "step.<name>"
  // (i32, one element) per parameter and "step" (i32, one element), the calls to step().
  nn::NamedTensors state() const;
  // Restores a state saved by state(). The state must hold exactly these keys with the
  // shapes and dtypes state() gives; otherwise nothing changes and the error names the
  // file (state.source) and the key.
  void load_state(const Safetensors& state);

 private:
  AdamWConfig config_;
  std::vector<Param> params_;
  int64_t steps_ = 0;
};

}  // namespace tessera::optim
