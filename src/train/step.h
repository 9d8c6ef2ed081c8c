#pragma once
// One optimizer step, as the training loop takes it (and the benchmarks measure it):
//   zero the gradients; for each of `micro_batches` losses from `next_loss`, backward of
//   loss / micro_batches (so the gradients are those of the whole batch's mean loss); clip
//   the global norm to `clip` (0: no clipping); AdamW at `lr`. With `parallel` (data_parallel.h)
//   the gradients and the loss are averaged over the ranks before clipping, and under ZeRO-1
//   each parameter is sent from the rank that updated it after AdamW.
// `guard(value, what)` sees each loss and then the gradient norm before they are used, so
// it can stop the step (by throwing) before anything non-finite reaches the weights.
#include <cstdint>
#include <functional>

#include "core/tensor.h"
#include "nn/module.h"
#include "optim/adamw.h"
#include "train/data_parallel.h"

namespace tessera::train {

struct StepResult {
  double loss = 0;      // the mean over the micro-batches (and the ranks)
  float grad_norm = 0;  // before clipping
};

using StepGuard = std::function<void(double value, const char* what)>;

StepResult optimizer_step(nn::Module& module, optim::AdamW& optimizer, const std::function<Tensor()>& next_loss,
                          int64_t micro_batches, float lr, float clip, const StepGuard& guard = {},
                          DataParallel* parallel = nullptr);

}  // namespace tessera::train
