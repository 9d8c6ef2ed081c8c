#pragma once
// What the two codec tasks share: their defaults for the shared recipe sections, where their
// data is, and their objective, L1 + L2 between a reconstruction and its original, weighted
// as the recipe's "loss" section says.
#include <functional>
#include <string>

#include "core/tensor.h"
#include "io/fields.h"
#include "train/recipe.h"

namespace tessera::train {

// No weight decay, beta2 0.99, held-out evaluation only at the end, a checkpoint every 1000
// steps, a log line every 50.
void codec_loop_defaults(LoopConfig& loop);

// A data set folder and its training and held-out splits: "data": {"dir": ..., "train":
// "train", "valid": "valid"}, dir required. The task adds its own fields to the section.
struct CodecData {
  std::string dir, train = "train", valid = "valid";

  void fields(Fields& data);
};

struct ReconstructionLoss {
  double l1 = 1.0, l2 = 1.0;

  // "loss": {"l1": 1.0, "l2": 1.0}
  void fields(Fields& f);
  // l1 * mean |out - target| + l2 * mean (out - target)^2, a scalar with gradients to `out`.
  Tensor operator()(const Tensor& out, const Tensor& target) const;
};

// The sections both codec tasks have: "codec" (required, described by `codec`), "data"
// (required: `data`, then the task's own fields, `task_data`) and "loss".
void codec_task_fields(Fields& f, const std::function<void(Fields&)>& codec, CodecData& data,
                       const std::function<void(Fields&)>& task_data, ReconstructionLoss& loss);

}  // namespace tessera::train
