#pragma once
// The one training step every caller shares (the trainer, `tessera selfcheck`):
//   zero grads; for each micro-batch: forward -> cross_entropy (+ z-loss) -> backward of
//   loss / micro_batches (so the gradients are those of the whole batch's mean loss);
//   clip the global norm; AdamW at the scheduled learning rate.
#include <span>

#include "data/token_batches.h"
#include "model/transformer.h"
#include "optim/adamw.h"

namespace tessera::train {

struct StepSettings {
  float lr = 0;      // this step's learning rate (the schedule's value)
  float clip = 1.0f;  // max global gradient norm; 0 turns clipping off
  float z_loss = 0;  // weight of PaLM's logsumexp^2 term
};

struct StepResult {
  float loss = 0;       // the mean objective over the micro-batches (cross-entropy + z-loss term)
  float grad_norm = 0;  // before clipping
  float lr = 0;
};

// micro_batches: each ids/targets (b, T); together they are one step's batch.
StepResult train_step(model::Transformer& model, optim::AdamW& optimizer, std::span<const data::Batch> micro_batches,
                      const StepSettings& settings);

}  // namespace tessera::train
