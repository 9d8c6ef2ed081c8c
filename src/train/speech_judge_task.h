#pragma once
// The speech judge (eval/speech_judge.h) trained with CTC on a speech set's real clips, a task
// of the training loop. Its part of a recipe (recipe.h has the shared sections):
//
//   "task": "speech_judge",
//   "judge": {... SpeechJudgeConfig: "mel", "channels", "blocks", "kernel", "alphabet" ...},
//   "data": {"dir": "../data/audio/speech", "train": "train", "valid": "valid"},
//   "eval": {"clips": 0}
//
// data.dir is required; "judge" defaults as SpeechJudgeConfig does. Every training clip's
// log-mel is computed once when the task is built (with a progress bar); a clip too short for
// its transcript under CTC (fewer output frames than labels plus repeats) is left out. A batch
// is batch_size clips of similar length (a random window over the clips sorted by length), so
// little of it is padding. The loss is CTC with PyTorch's reduction "mean" (each clip's loss
// per label, averaged over the batch) and zero_infinity. The log line adds the greedy
// transcripts' character error rate on the training batches.
//
// The held-out evaluation, on the first eval.clips clips of data.valid (0: all; set
// data.valid=test for the test split; skipped when the folder has no such split): the same
// loss as valid_loss, and the CER and WER of greedy transcripts against the clips' texts
// (text_error.h), in percent.
//
// Defaults for the shared sections are the codecs' (codec_training.h): weight_decay 0, beta2
// 0.99, eval.every 0 (only at the end), checkpoint.every 1000, log.every 50. The output is the
// judge file OUT/judge.safetensors. Data parallel training splits each batch's clips.
#include <cstdint>
#include <string>

#include "eval/speech_judge.h"
#include "train/codec_training.h"
#include "train/recipe.h"

namespace tessera::train {

struct SpeechJudgeTaskConfig : TaskConfig {
  eval::SpeechJudgeConfig judge;
  CodecData data;
  int64_t eval_clips = 0;

  void defaults(LoopConfig& loop) const override { codec_loop_defaults(loop); }
  void fields(Fields& f) override;
  std::unique_ptr<Task> make(const LoopConfig& loop, std::FILE* out) const override;
};

}  // namespace tessera::train
