#pragma once
// The trainer: a recipe, a text codec and an output directory in; a model directory out.
//
//   OUT/config.json, model.safetensors, text.model   the final model (a model directory)
//   OUT/checkpoint/                                  the latest checkpoint (checkpoint.h)
//   OUT/recipe.json                                  the recipe as run, overrides applied
//   OUT/log.jsonl, OUT/loss.png                      the log and its chart (run_log.h)
//
// Each step is train_step(); every eval.every steps (and at the end) the mean loss over a
// fixed set of held-out batches; every checkpoint.every steps (and at the end, and on
// Ctrl-C) a checkpoint. `resume` continues from OUT/checkpoint exactly: with the same
// thread count, 10 steps + resume + 10 steps give the losses and weights of 20 steps.
#include <cstdint>
#include <cstdio>
#include <string>

#include "train/train_config.h"

namespace tessera::train {

struct TrainerOptions {
  TrainConfig config;
  std::string text_codec;  // the codec file; its vocabulary size sets vocabulary.text
  std::string out_dir;
  bool resume = false;
  double peak_flops = 0;  // the GEMM peak in FLOP/s for MFU; 0 measures it at start
  int64_t stop_at = 0;    // stop (with a checkpoint) after this step; 0 runs to the end
  std::FILE* out = stdout;
};

enum class TrainOutcome { finished, stopped, interrupted };

struct TrainResult {
  TrainOutcome outcome = TrainOutcome::finished;
  int64_t step = 0;                  // steps completed
  double valid_loss = 0;             // the last evaluation's
};

TrainResult run_training(const TrainerOptions& options);

}  // namespace tessera::train
