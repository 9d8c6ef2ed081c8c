#pragma once
// A training run as one JSON file, a recipe: which task it trains, the task's own sections,
// and the sections every recipe shares, read by the one training loop:
//
//   {
//     "task": "transformer",            or "image_codec", "audio_codec", "image_judge", "speech_judge"
//     ... the task's sections (transformer_task.h, image_codec_task.h, audio_codec_task.h,
//         image_judge_task.h, speech_judge_task.h) ...
//     "optimization": {"steps": 2000, "minutes": 0, "batch_size": 32, "micro_batches": 1,
//                      "lr": 3e-3, "min_lr": 3e-4, "warmup": 100, "weight_decay": 0.1,
//                      "beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "clip": 1.0, "seed": 1},
//     "eval": {"every": 200},
//     "checkpoint": {"every": 500},
//     "log": {"every": 1}
//   }
//
// optimization.steps, batch_size and lr are required; the rest default to the values shown,
// except where a task has other defaults (each task's header says). minutes > 0 gives the
// whole run a wall-clock budget: it ends at `steps` or when the budget is spent, whichever
// comes first, with the cosine re-planned from the pace so far so that it ends on time.
// min_lr defaults to lr / 10. eval.every and checkpoint.every of 0 mean "only at the end";
// clip 0 turns clipping off. Relative paths are relative to the recipe's folder. Any field
// can be set from the command line (`--set optimization.lr=1e-3`), checked like the file.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/fields.h"
#include "train/task.h"

namespace tessera::train {

struct OptimizationConfig {
  int64_t steps = 0;
  double minutes = 0;
  int64_t batch_size = 0;     // examples per step, split into micro_batches equal parts
  int64_t micro_batches = 1;  // gradient accumulation: less memory, the same step
  double lr = 0, min_lr = 0;
  int64_t warmup = 0;
  double weight_decay = 0.1, beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
  double clip = 1.0;
  int64_t seed = 1;

  void fields(Fields& f);
  int64_t micro_batch_size() const { return batch_size / micro_batches; }
};

struct LoopConfig {
  OptimizationConfig optimization;
  int64_t eval_every = 200, checkpoint_every = 500, log_every = 1;

  void fields(Fields& f);
};

// A task's own part of the recipe, and how to build the task from it.
class TaskConfig {
 public:
  virtual ~TaskConfig() = default;
  // The task's defaults for the shared sections, set before the recipe is read.
  virtual void defaults(LoopConfig& loop) const {}
  virtual void fields(Fields& f) = 0;
  // A fresh task, its weights drawn from optimization.seed; progress goes to `out`.
  virtual std::unique_ptr<Task> make(const LoopConfig& loop, std::FILE* out) const = 0;
};

struct Recipe {
  std::string task;
  LoopConfig loop;
  std::unique_ptr<TaskConfig> config;
  std::string source;  // the file it was read from (and the overrides), for messages

  // The recipe as run, with paths relative to `base_dir` (the run's folder), so that the
  // copy kept there reads back as the same recipe.
  nlohmann::json to_json(const std::string& base_dir) const;
};

// The tasks a recipe may name.
const std::vector<std::string>& task_names();
// Reads and checks a recipe file with `overrides` applied.
Recipe read_recipe(const std::string& path, const std::vector<Override>& overrides = {});

// A short, stable hash of a JSON value (FNV-1a over its compact dump), as 16 hex digits.
std::string fingerprint(const nlohmann::json& j);

}  // namespace tessera::train
