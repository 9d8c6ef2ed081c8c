#pragma once
// The transformer trained on token shards (next-token cross-entropy, + PaLM's z-loss), a
// task of the training loop. Its part of a recipe (recipe.h has the shared sections):
//
//   "task": "transformer",
//   "model": {"dim": 256, "n_layers": 6, "n_heads": 8, "hidden": 688, "context_length": 256,
//             "tied_embeddings": true, "qk_norm": true, "rope_theta": 10000, "norm_eps": 1e-5,
//             "init_std": 0.02},
//   "codecs": {"text": "data/text.model"},
//   "data": {"train": ["train.shard"], "valid": ["valid.shard"], "sampling": "random"},
//   "loss": {"z_loss": 1e-4},
//   "eval": {"batches": 8}
//
// model.dim, n_layers, n_heads, hidden and context_length are required, and so are the text
// codec (whose vocabulary sizes the model; the output gets a copy) and both lists of shards.
// Batches are windows of context_length + 1 ids over the concatenated shards (sampling
// "random": at random positions; "sequential": in order). The held-out loss is the mean
// cross-entropy (no z-loss) over the first eval.batches sequential windows of the valid
// shards, the same windows at every evaluation.
//
// The output is a model directory (model/model_dir.h): config.json, model.safetensors,
// text.model.
#include <string>
#include <vector>

#include "data/token_batches.h"
#include "model/transformer.h"
#include "train/recipe.h"

namespace tessera::train {

struct TextTaskConfig : TaskConfig {
  model::TransformerConfig model;
  int64_t context_length = 0;
  std::string text_codec;
  std::vector<std::string> train_shards, valid_shards;
  data::Sampling sampling = data::Sampling::random;
  double z_loss = 1e-4;
  int64_t eval_batches = 8;

  TextTaskConfig() { model.tied_embeddings = true; }
  void fields(Fields& f) override;
  std::unique_ptr<Task> make(const LoopConfig& loop, std::FILE* out) const override;
};

}  // namespace tessera::train
