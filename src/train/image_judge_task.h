#pragma once
// The image judge (eval/image_judge.h) trained on the real images of a set whose captions
// are class names (Fashion-MNIST's ten), a task of the training loop. Its part of a recipe
// (recipe.h has the shared sections):
//
//   "task": "image_judge",
//   "model": {"widths": [32, 64, 128], "features": 64, "norm_groups": 8},
//   "data": {"dir": "../data/image/fashion_mnist", "train": "train", "valid": "valid", "test": ""},
//   "eval": {"images": 0}
//
// data.dir is required; the model's fields default to the values shown. The judge's input
// is the training split's image size and its classes are the split's distinct captions,
// sorted (label i is the i-th); a held-out image whose caption is not among them is an
// error. Batches are training images in a seeded random order, a fresh shuffle every epoch;
// the loss is cross-entropy over the classes, and the log line adds the accuracy on the
// training batches since the last line. The held-out evaluation measures the valid split
// (skipped when the folder has none): valid_loss and accuracy; `test` names a split measured
// beside it at every evaluation, for the record (test_loss, test_accuracy), never to choose
// anything by. Each is measured on its first eval.images images (0: all of them).
//
// Defaults for the shared sections: eval.every 0 (only at the end), checkpoint.every 500,
// log.every 50. The output is the judge file OUT/judge.safetensors.
#include <cstdint>
#include <string>

#include "eval/image_judge.h"
#include "train/codec_training.h"
#include "train/recipe.h"

namespace tessera::train {

inline constexpr const char* kImageJudgeFile = "judge.safetensors";

struct ImageJudgeTaskConfig : TaskConfig {
  eval::ImageJudgeConfig model;  // the input size and classes are the training split's
  CodecData data;
  std::string test;  // a split measured beside the valid one, or "" for none
  int64_t eval_images = 0;

  void defaults(LoopConfig& loop) const override;
  void fields(Fields& f) override;
  std::unique_ptr<Task> make(const LoopConfig& loop, std::FILE* out) const override;
};

}  // namespace tessera::train
