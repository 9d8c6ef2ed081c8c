#pragma once
// The transformer trained on token shards (next-token cross-entropy, + PaLM's z-loss), a
// task of the training loop: the text model, and the mixed-modal model over text, images and
// speech in one vocabulary. Its part of a recipe (recipe.h has the shared sections):
//
//   "task": "transformer",
//   "model": {"dim": 256, "n_layers": 6, "n_heads": 8, "hidden": 688, "context_length": 256,
//             "tied_embeddings": true, "qk_norm": true, "rope_theta": 10000, "norm_eps": 1e-5,
//             "init_std": 0.02},
//   "codecs": {"text": "data/text.model", "image": "image.safetensors", "audio": "audio.safetensors"},
//   "data": {"train": ["train.shard"], "valid": ["valid.shard"], "packing": "windows",
//            "sampling": "random"},
//   "loss": {"z_loss": 1e-4, "weights": {"text": 1, "image": 1, "audio": 1}},
//   "eval": {"batches": 8}
//
// model.dim, n_layers, n_heads, hidden and context_length are required, and so are the text
// codec and both lists of shards; the image and audio codecs are optional. The codecs lay out
// the vocabulary (data::mixed_vocabulary), and the output gets a copy of each.
//
// data.packing "windows" (text): batches are windows of context_length + 1 ids over the
// concatenated shards (sampling "random": at random positions; "sequential": in order).
// "examples" (mixed-modal): rows of whole examples, shuffled, each attending only to itself
// (data/packed_batches.h); "sampling" does not apply.
//
// loss.weights weigh each target by its modality (control tokens count as text): the loss is
// the weighted mean over the targets. The held-out loss is the unweighted mean cross-entropy
// (no z-loss) over the first eval.batches rows of the valid shards in order, the same rows at
// every evaluation; with media codecs, evaluation and the log line also give the loss per
// modality and, packed, per task (data/mixed_example.h).
//
// The output is a model directory (model/model_dir.h): config.json, model.safetensors and
// the codec files.
#include <string>
#include <vector>

#include "codecs/codec_registry.h"
#include "data/token_batches.h"
#include "model/transformer.h"
#include "train/recipe.h"

namespace tessera::train {

struct TransformerTaskConfig : TaskConfig {
  model::TransformerConfig model;
  int64_t context_length = 0;
  codecs::CodecFiles codec_files;
  std::vector<std::string> train_shards, valid_shards;
  bool packed = false;  // data.packing "examples"
  data::Sampling sampling = data::Sampling::random;
  double z_loss = 1e-4;
  double text_weight = 1, image_weight = 1, audio_weight = 1;
  int64_t eval_batches = 8;

  TransformerTaskConfig() { model.tied_embeddings = true; }
  void fields(Fields& f) override;
  std::unique_ptr<Task> make(const LoopConfig& loop, std::FILE* out) const override;
};

}  // namespace tessera::train
