#pragma once
// Training an image codec: AdamW on L1 + L2 pixel losses (+ the VQ commitment term) with
// warmup + cosine decay and gradient clipping, over seeded random batches of an image
// array; a log line every log_every steps (its PSNR is the running one of the training
// batches), a progress bar; a VQ codebook optionally cut to its most used codes
// (keep_codes); the codec written atomically. Held-out images are measured by the eval
// layer (`tessera codec train image` does it after training, as `codec eval`). A recipe
// file holds both halves:
//
//   {"codec": {... ImageCodecConfig ...},
//    "training": {"steps": 3000, "minutes": 20, "batch_size": 32, "lr": 2e-3, "min_lr": 2e-4,
//                 "warmup": 100, "weight_decay": 0.0, "clip": 1.0, "l1": 1.0, "l2": 1.0,
//                 "seed": 1, "log_every": 50, "eval_images": 1000, "flip": false,
//                 "keep_codes": 0}}
//
// "training" and each of its fields are optional (defaults as shown, minutes 0 = no time
// limit). With a time limit the run stops at `steps` or at the deadline, whichever comes
// first, and re-plans its cosine from the measured step time so the decay ends on time.
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codecs/image/image_codec.h"

namespace tessera::codecs {

// Images in memory: count x (height, width, channels) 8-bit interleaved rows.
struct ImageArray {
  const uint8_t* pixels = nullptr;
  int64_t count = 0, height = 0, width = 0, channels = 0;
};

struct ImageCodecTrainOptions {
  int64_t steps = 3000;
  double minutes = 0;
  int64_t batch_size = 32;
  float lr = 2e-3f, min_lr = 2e-4f;
  int64_t warmup = 100;
  float weight_decay = 0.0f;
  float clip = 1.0f;
  float l1 = 1.0f, l2 = 1.0f;  // weights of the pixel losses (on [-1, 1] pixels)
  uint64_t seed = 1;
  int64_t log_every = 50;
  int64_t eval_images = 1000;  // held-out images `codec train image` measures after training (at most)
  // Mirror each training image left to right with probability 1/2: twice the distinct
  // images for sets whose classes read the same mirrored (emoji; not text or digits).
  bool flip = false;
  // VQ only, 0 = all: after training, keep the keep_codes codes that code the most training
  // positions and drop the rest (ImageCodec::keep_codes), so the vocabulary holds no code
  // the training set hardly uses. A codebook trained larger and cut to size this way
  // reconstructs as well as its larger self, and more of its codes code held-out images.
  int64_t keep_codes = 0;

  static ImageCodecTrainOptions from_json(const nlohmann::json& j, const std::string& source);
  nlohmann::json to_json() const;
};

struct ImageCodecRecipe {
  ImageCodecConfig codec;
  ImageCodecTrainOptions training;
  static ImageCodecRecipe load(const std::string& path);
};

struct ImageCodecTrainResult {
  int64_t steps = 0;
  bool interrupted = false;
};

// Trains a fresh codec of `config` on `train` and writes it to `out_path`; on Ctrl-C it
// saves what it has and reports interrupted. Images must have the config's size and channels.
ImageCodecTrainResult train_image_codec(const ImageCodecConfig& config, const ImageCodecTrainOptions& options,
                                        const ImageArray& train, const std::string& out_path, std::FILE* out = stdout);

// How many of the positions of `images` each code codes: (vocab_size) counts.
std::vector<int64_t> count_codes(const ImageCodec& codec, const ImageArray& images, int64_t batch_size = 64);

// The `keep` ids with the largest counts (ties to the lower id), in increasing order.
std::vector<int32_t> most_used_codes(const std::vector<int64_t>& counts, int64_t keep);

// The images at `indices` as f32 (indices.size(), C, H, W) in [-1, 1].
Tensor image_batch(const ImageArray& images, const std::vector<int64_t>& indices);

}  // namespace tessera::codecs
