#pragma once
// A checkpoint, everything a resumed run needs to continue exactly:
//
//   OUT/checkpoint/...                    what Task::save writes (a model directory, a codec file)
//   OUT/checkpoint/optimizer.safetensors  AdamW::state()
//   OUT/checkpoint/trainer.json           TrainerState
//
// A crash at any moment never loses the last good checkpoint: the new one is written whole
// into OUT/checkpoint.new, then the old one is renamed to OUT/checkpoint.old, the new one
// to OUT/checkpoint, and the old one removed. Whoever finds OUT/checkpoint missing but
// OUT/checkpoint.old present (a crash between the two renames) takes the old one back.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "io/fields.h"
#include "optim/adamw.h"
#include "train/task.h"

namespace tessera::train {

struct TrainerState {
  int64_t step = 0;                                // steps completed
  double elapsed_s = 0;                            // seconds the loop ran, over every session
  std::optional<double> best_valid_loss;           // the lowest held-out loss so far
  std::string recipe_fingerprint;                  // of the recipe as run, to notice changed settings
  int64_t threads = 0;                             // bit-exact resumption needs the same count
  nlohmann::json task = nlohmann::json::object();  // Task::state()

  void fields(Fields& f);
};

std::string checkpoint_dir(const std::string& out_dir);

// Moves a checkpoint left by a crash mid-swap back into place and removes an unfinished
// new one. Returns whether OUT/checkpoint now exists.
bool recover_checkpoint(const std::string& out_dir);

// optimizer_state: AdamW::state(), gathered from every rank under ZeRO-1.
void save_checkpoint(const std::string& out_dir, const Task& task, const nn::NamedTensors& optimizer_state,
                     const TrainerState& state);
// The trainer state of OUT/checkpoint; the task and optimizer read their own files there.
TrainerState read_trainer_state(const std::string& out_dir);
void load_optimizer_state(const std::string& out_dir, optim::AdamW& optimizer);

// Refuses to continue from a checkpoint of another model: `saved` (read from `path`) and
// `wanted` are configs as JSON; the error names the first field that differs and both values.
void check_same_config(const nlohmann::json& saved, const nlohmann::json& wanted, const std::string& path);

}  // namespace tessera::train
