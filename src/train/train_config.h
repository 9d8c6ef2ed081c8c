#pragma once
// A training run as one JSON file (a recipe), every field checked:
//
//   {
//     "model": {"dim": 256, "n_layers": 6, "n_heads": 8, "hidden": 688, "context_length": 256,
//               "tied_embeddings": true, "qk_norm": true, "rope_theta": 10000, "init_std": 0.02},
//     "data": {"train": ["train.shard"], "valid": ["valid.shard"], "sampling": "random"},
//     "optimization": {"steps": 2000, "batch_size": 32, "micro_batches": 1, "lr": 3e-3,
//                      "min_lr": 3e-4, "warmup": 100, "weight_decay": 0.1, "beta1": 0.9,
//                      "beta2": 0.95, "clip": 1.0, "z_loss": 1e-4, "seed": 1},
//     "eval": {"every": 200, "batches": 8},
//     "checkpoint": {"every": 500},
//     "log": {"every": 1}
//   }
//
// Required: model.dim, model.n_layers, model.n_heads, model.hidden, model.context_length,
// data.train, data.valid, optimization.steps, optimization.batch_size, optimization.lr.
// The rest default to the values shown. Unknown fields are errors (a typo must not
// silently train with a default). Relative shard paths are relative to the recipe's folder.
// eval.every and checkpoint.every of 0 mean "only at the end"; clip 0 turns clipping off.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codecs/text_codec.h"
#include "data/token_batches.h"
#include "model/model_config.h"

namespace tessera::train {

struct TrainConfig {
  model::TransformerConfig model;  // vocab_size comes from the codec, not the recipe
  int64_t context_length = 0;

  std::vector<std::string> train_shards, valid_shards;
  data::Sampling sampling = data::Sampling::random;

  int64_t steps = 0;
  int64_t batch_size = 0;  // sequences per step, split into micro_batches equal parts
  int64_t micro_batches = 1;
  float lr = 0, min_lr = 0;
  int64_t warmup = 0;
  float weight_decay = 0.1f, beta1 = 0.9f, beta2 = 0.95f;
  float clip = 1.0f;
  float z_loss = 1e-4f;
  uint64_t seed = 1;

  int64_t eval_every = 200, eval_batches = 8;
  int64_t checkpoint_every = 500;
  int64_t log_every = 1;

  std::string source;  // the recipe's path, for messages

  static TrainConfig load(const std::string& path);
  // `source` names the recipe in errors; `base_dir` resolves relative shard paths.
  static TrainConfig from_json(const nlohmann::json& j, const std::string& source, const std::string& base_dir);
  nlohmann::json to_json() const;

  // Checks every value and the relations between fields; run again after command-line
  // overrides. Errors name the source and the field.
  void validate() const;

  // The model directory's config for a text-only model over `codec` (its vocabulary layout
  // is the one text shards are written in, data::text_vocabulary).
  model::ModelConfig model_config(const codecs::TextCodec& codec) const;
  int64_t micro_batch_size() const { return batch_size / micro_batches; }
  int64_t tokens_per_step() const { return batch_size * context_length; }
};

// A short, stable hash of a JSON value (FNV-1a over its compact dump), as 16 hex digits.
std::string fingerprint(const nlohmann::json& j);

}  // namespace tessera::train
