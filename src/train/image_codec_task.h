#pragma once
// The image codec trained on an image set (L1 + L2 on [-1, 1] pixels, + the VQ commitment
// term), a task of the training loop. Its part of a recipe (recipe.h has the shared sections):
//
//   "task": "image_codec",
//   "codec": {... ImageCodecConfig (codecs/image/image_codec_config.h) ...},
//   "data": {"dir": "../data/image/fashion_mnist", "train": "train", "valid": "valid", "flip": false,
//            "also": ["../data/image/openmoji"], "fit": false, "balance": false},
//   "loss": {"l1": 1.0, "l2": 1.0},
//   "eval": {"images": 1000},
//   "codebook": {"keep_codes": 0}
//
// codec and data.dir are required. `also` adds more sets, whose splits of the same names join
// data.dir's (data/image_mixture.h); `fit` resizes and converts every image to the codec's
// size and channels (fit_image) instead of refusing a set of another size; `balance` draws
// each set equally often rather than each image. With more than one set the evaluation
// reports each set's measures too ("psnr_openmoji"). Batches are images in a seeded random order, a fresh
// shuffle every epoch; `flip` mirrors each left to right with probability 1/2 (for sets
// whose classes read the same mirrored). The held-out evaluation measures the first
// eval.images images of each set's valid split (skipped when the folder has none) as `tessera codec
// eval image` does: PSNR, SSIM, the share of codes used and their perplexity. keep_codes
// (VQ only; 0 keeps all) cuts the trained codebook to the codes that code the most training
// positions (ImageCodec::keep_codes) when the run ends.
//
// Defaults for the shared sections: weight_decay 0, beta2 0.99, eval.every 0 (only at the
// end), checkpoint.every 1000, log.every 50. The output is the codec file OUT/image.safetensors.
#include <cstdint>
#include <string>
#include <vector>

#include "codecs/image/image_codec.h"
#include "data/image_array.h"
#include "train/codec_training.h"
#include "train/recipe.h"

namespace tessera::train {

struct ImageCodecTaskConfig : TaskConfig {
  codecs::ImageCodecConfig codec;
  CodecData data;
  std::vector<std::string> also;  // more image set folders beside data.dir
  bool fit = false, balance = false, flip = false;
  ReconstructionLoss loss;
  int64_t eval_images = 1000;
  int64_t keep_codes = 0;

  // data.dir, then data.also.
  std::vector<std::string> dirs() const;

  void defaults(LoopConfig& loop) const override { codec_loop_defaults(loop); }
  void fields(Fields& f) override;
  std::unique_ptr<Task> make(const LoopConfig& loop, std::FILE* out) const override;
};

// How many of the positions of `images` each code codes: (vocab_size) counts.
std::vector<int64_t> count_codes(const codecs::ImageCodec& codec, const data::ImageArray& images,
                                 int64_t batch_size = 64);

// The `keep` ids with the largest counts (ties to the lower id), in increasing order.
std::vector<int32_t> most_used_codes(const std::vector<int64_t>& counts, int64_t keep);

}  // namespace tessera::train
