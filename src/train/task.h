#pragma once
// What the training loop trains: a task brings its module, its batches and their loss, its
// held-out evaluation, and the state a checkpoint must hold to continue it exactly. The loop
// (loop.h) owns everything else: the step count and time budget, the learning-rate schedule,
// micro-batches, clipping, AdamW, the divergence guard, logs, checkpoints and resumption.
//
//   the transformer     transformer_task.h   windows of text shards, or packed mixed-modal
//                                            examples; cross-entropy weighed by modality (+ z-loss)
//   the image codec     image_codec_task.h   image batches, L1 + L2 on pixels (+ VQ commitment)
//   the audio codec     audio_codec_task.h   log-mel crops, L1 + L2 on normalized log-mel
//   the image judge     image_judge_task.h   labelled images, cross-entropy over the classes
//   the speech judge    speech_judge_task.h  clips and their texts, CTC over characters
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/fields.h"
#include "nn/module.h"
#include "train/shard.h"

namespace tessera::train {

// A named number for the log: `format` prints the value on the log line ("%.2f dB"); the
// JSON log gets the value itself under `name`.
struct Metric {
  std::string name;
  double value = 0;
  const char* format = "%.4f";
};
using Metrics = std::vector<Metric>;

class Task {
 public:
  virtual ~Task() = default;

  // What AdamW trains; checkpoints hold its parameters through save() and load().
  virtual nn::Module& module() = 0;
  // Lines for the run's header: the model, the data, what a step holds.
  virtual std::string describe() const = 0;
  // The unit the throughput counts ("tokens", "images", "frames") and how many a step holds.
  virtual const char* unit() const = 0;
  virtual int64_t units_per_step() const = 0;
  // Model FLOPs of one step (forward and backward), for MFU; 0 when the task cannot count them.
  virtual double flops_per_step() const { return 0; }

  // Draws the next micro-batch and returns its loss: a scalar with gradients. The loop calls
  // it micro_batches times per step and runs backward on each.
  virtual Tensor next_loss() = 0;
  // The task's own numbers since the last call (a running PSNR, the share of codes used),
  // for the log line; the loop adds the loss, learning rate and the rest.
  virtual Metrics window_metrics() { return {}; }
  // Held-out evaluation. A metric named "valid_loss" is the one the loop tracks (lower is
  // better) and charts beside the training loss.
  virtual Metrics evaluate() = 0;

  // The state beyond the module and the optimizer that continues the run exactly (data
  // order, random generators), described once: written into checkpoints, read on resume.
  virtual void state_fields(Fields& f) = 0;

  // Writes what was trained into `dir` (a model directory's files, or a codec file), and
  // reads it back in place of the fresh module. load() refuses a directory holding another
  // model or codec, naming the first field of its config that differs.
  virtual void save(const std::string& dir) const = 0;
  virtual void load(const std::string& dir) = 0;

  // Under data parallelism, before the first step: from then on next_loss() draws each
  // micro-batch whole, as one process would, and returns the loss of `shard`'s rows of it
  // (shard.h). A task that cannot says so, naming itself.
  virtual void shard(const Shard& shard) = 0;

  // After the last step, before the final evaluation and save: a task may change what it
  // trained (a VQ codebook cut to its most used codes). Returns whether it did.
  virtual bool finish(std::FILE* out) { return false; }
};

}  // namespace tessera::train
