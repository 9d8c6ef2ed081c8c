#pragma once
// The trainer's checkpoint, everything a resumed run needs to continue exactly:
//
//   OUT/checkpoint/config.json, model.safetensors, text.model   a model directory (save_model)
//   OUT/checkpoint/optimizer.safetensors                        AdamW::state()
//   OUT/checkpoint/trainer.json                                 TrainerState
//
// A crash at any moment never loses the last good checkpoint: the new one is written whole
// into OUT/checkpoint.new, then the old one is renamed to OUT/checkpoint.old, the new one
// to OUT/checkpoint, and the old one removed. Whoever finds OUT/checkpoint missing but
// OUT/checkpoint.old present (a crash between the two renames) takes the old one back.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "codecs/codec.h"
#include "model/model_config.h"
#include "model/transformer.h"
#include "optim/adamw.h"

namespace tessera::train {

struct TrainerState {
  int64_t step = 0;                        // steps completed
  nlohmann::json data;                     // the training stream's state (TokenBatches::state)
  std::optional<double> best_valid_loss;   // the lowest held-out loss so far
  std::string config_fingerprint;          // of the whole recipe, to notice changed settings
  int threads = 0;                         // bit-exact resumption needs the same count

  nlohmann::json to_json() const;
  static TrainerState from_json(const nlohmann::json& j, const std::string& source);
};

std::string checkpoint_dir(const std::string& out_dir);

// Moves a checkpoint left by a crash mid-swap back into place and removes an unfinished
// new one. Returns whether OUT/checkpoint now exists.
bool recover_checkpoint(const std::string& out_dir);

void save_checkpoint(const std::string& out_dir, const model::ModelConfig& config,
                     const model::Transformer& transformer, const optim::AdamW& optimizer,
                     const std::vector<const codecs::Codec*>& codecs, const TrainerState& state);

// Loads the weights and the optimizer state into `transformer` and `optimizer` and returns
// the trainer state. A checkpoint of a different model (architecture, vocabulary) is
// refused, naming the first field that differs.
TrainerState load_checkpoint(const std::string& out_dir, const model::ModelConfig& config,
                             model::Transformer& transformer, optim::AdamW& optimizer);

}  // namespace tessera::train
