#pragma once
// The one training loop, for every task (task.h): a recipe's shared sections, a task and an
// output directory in; what the task trained out.
//
//   OUT/...                 the task's output (Task::save): a model directory, a codec file
//   OUT/checkpoint/         the latest checkpoint (checkpoint.h)
//   OUT/recipe.json         the recipe as run, overrides applied
//   OUT/log.jsonl, loss.png the log and its chart (run_log.h)
//
// A step: zero the gradients; for each micro-batch, the task's loss, backward of
// loss / micro_batches; clip the global norm; AdamW at the scheduled rate (warmup + cosine,
// over the planned steps: optimization.steps, or with a time budget as many as the budget
// holds at the pace so far, re-planned after every step). A non-finite loss or gradient
// stops the run with an error before the weights change, leaving the last checkpoint as it
// was. Every eval.every steps (and at the end) the task's held-out evaluation; every
// checkpoint.every steps (and at the end, on --stop-at and on Ctrl-C) a checkpoint.
//
// Resuming restores the weights, the optimizer, the task's data order and generators, the
// step and the time spent, so a budgeted run continues its schedule; at the same thread
// count k steps + resume + (N - k) steps give the weights of N steps, bit for bit.
//
// Data-parallel (options.collective of several ranks, data_parallel.h): every rank runs the
// loop on its share of each micro-batch (which must split evenly), the gradients and the loss
// are averaged, rank 0's clock decides the time budget and any rank's Ctrl-C stops all of
// them; rank 0 alone writes the log, checkpoints and the output (into a folder every rank can
// read: a resumed run reads the checkpoint on every rank). shard_optimizer: ZeRO stage 1.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "train/collective.h"
#include "train/recipe.h"
#include "train/task.h"

namespace tessera::train {

struct LoopOptions {
  std::string out_dir;
  bool resume = false;
  int64_t stop_at = 0;    // stop (with a checkpoint) after this step; 0 runs to the end
  double peak_flops = 0;  // the GEMM peak in FLOP/s for MFU; 0 measures it at start
  nlohmann::json recipe;  // the recipe as run: OUT/recipe.json, and the resume check
  std::FILE* out = stdout;
  // Seconds on a monotonic clock, for the time budget; a steady clock when empty (tests
  // give one that advances by a fixed amount per step, so a budgeted run is repeatable).
  std::function<double()> clock;
  Collective* collective = nullptr;  // null: one process
  bool shard_optimizer = false;      // ZeRO-1: each rank keeps its share of AdamW's moments
};

enum class Outcome { finished, stopped, interrupted };

struct LoopResult {
  Outcome outcome = Outcome::finished;
  int64_t step = 0;                      // steps completed
  int64_t planned = 0;                   // steps the schedule was planned for at the end
  double first_loss = 0, last_loss = 0;  // this session's first and last logged training loss
  Metrics eval;                          // the last evaluation's
};

// Refuses before any work when OUT cannot be created or written, or already holds a
// checkpoint and `resume` is not set. Only the rank that writes (rank 0) calls it.
void prepare_output(const LoopOptions& options);

LoopResult run_loop(const LoopConfig& config, Task& task, const LoopOptions& options);

}  // namespace tessera::train
