#pragma once
// The audio codec trained on a speech set (L1 + L2 on normalized log-mel), a task of the
// training loop. Its part of a recipe (recipe.h has the shared sections):
//
//   "task": "audio_codec",
//   "codec": {... AudioCodecConfig (codecs/audio/audio_codec_config.h) ...},
//   "data": {"dir": "../data/audio/speech", "train": "train", "valid": "valid", "crop_frames": 128},
//   "loss": {"l1": 1.0, "l2": 1.0},
//   "eval": {"clips": 200}
//
// codec and data.dir are required. Every training clip's log-mel is computed once when the
// task is built (with a progress bar), and the codec's per-bin normalization measured on
// them; batches are random crops of crop_frames frames (a multiple of the codec's
// 2^downsamples; a shorter clip is padded with its last frame). The held-out evaluation is
// the mean log-mel L1 in nats of whole clips through encode and decode, over the first
// eval.clips clips of the valid split (skipped when the folder has none).
//
// Defaults for the shared sections: weight_decay 0, beta2 0.99, eval.every 0 (only at the
// end), checkpoint.every 1000, log.every 50. The output is the codec file OUT/audio.safetensors.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "codecs/audio/audio_codec.h"
#include "train/codec_training.h"
#include "train/recipe.h"

namespace tessera::train {

struct AudioCodecTaskConfig : TaskConfig {
  codecs::AudioCodecConfig codec;
  CodecData data;
  int64_t crop_frames = 128;
  ReconstructionLoss loss;
  int64_t eval_clips = 200;

  void defaults(LoopConfig& loop) const override { codec_loop_defaults(loop); }
  void fields(Fields& f) override;
  std::unique_ptr<Task> make(const LoopConfig& loop, std::FILE* out) const override;
};

// Per mel bin, the mean and standard deviation of the log-mel over every frame of `clips`;
// a deviation below 0.01 nats (a bin that never changes) counts as 0.01.
std::pair<std::vector<float>, std::vector<float>> mel_statistics(const std::vector<codecs::Spectrogram>& clips);

}  // namespace tessera::train
