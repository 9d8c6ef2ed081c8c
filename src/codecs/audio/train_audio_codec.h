#pragma once
// Training an audio codec: AdamW on L1 + L2 of the normalized log-mel with warmup + cosine
// decay and gradient clipping, over seeded random fixed-length crops of the training clips'
// log-mels; a log line every log_every steps, a progress bar, held-out log-mel L1 at the
// end; the codec written atomically. A recipe file holds both halves:
//
//   {"codec": {... AudioCodecConfig ...},
//    "training": {"steps": 20000, "minutes": 18, "batch_size": 16, "crop_frames": 128,
//                 "lr": 2e-3, "min_lr": 1e-4, "warmup": 200, "weight_decay": 0.0, "clip": 1.0,
//                 "l1": 1.0, "l2": 1.0, "seed": 1, "log_every": 50, "eval_clips": 200}}
//
// "training" and each of its fields are optional (defaults as shown, minutes 0 = no time
// limit). With a time limit the run stops at `steps` or at the deadline, whichever comes
// first, and re-plans its cosine from the measured step time so the decay ends on time.
// crop_frames must be a multiple of the codec's 2^downsamples; a clip shorter than a crop
// is padded with its last frame.
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codecs/audio/audio_codec.h"

namespace tessera::codecs {

struct AudioCodecTrainOptions {
  int64_t steps = 20000;
  double minutes = 0;
  int64_t batch_size = 16;
  int64_t crop_frames = 128;
  float lr = 2e-3f, min_lr = 1e-4f;
  int64_t warmup = 200;
  float weight_decay = 0.0f;
  float clip = 1.0f;
  float l1 = 1.0f, l2 = 1.0f;  // weights of the losses on normalized log-mel
  uint64_t seed = 1;
  int64_t log_every = 50;
  int64_t eval_clips = 200;  // held-out clips for the final log-mel L1 (at most)

  static AudioCodecTrainOptions from_json(const nlohmann::json& j, const std::string& source);
  nlohmann::json to_json() const;
};

struct AudioCodecRecipe {
  AudioCodecConfig codec;
  AudioCodecTrainOptions training;
  static AudioCodecRecipe load(const std::string& path);
};

struct AudioCodecTrainResult {
  int64_t steps = 0;
  bool interrupted = false;
  double valid_mel_l1 = 0;  // mean |log-mel difference| in nats per held-out clip; NaN without any
};

// Trains a fresh codec of `config` on the log-mels `train` (each (frames, n_mels), as
// MelSpectrogram::log_mel gives them), checking `valid` (may be empty) at the end, and
// writes it to `out_path`; on Ctrl-C it saves what it has and reports interrupted. The
// normalization is measured on `train` first.
AudioCodecTrainResult train_audio_codec(const AudioCodecConfig& config, const AudioCodecTrainOptions& options,
                                        const std::vector<Spectrogram>& train, const std::vector<Spectrogram>& valid,
                                        const std::string& out_path, std::FILE* out = stdout);

// Per mel bin, the mean and standard deviation of the log-mel over every frame of `clips`;
// a deviation below 0.01 nats (a bin that never changes) counts as 0.01.
std::pair<std::vector<float>, std::vector<float>> mel_statistics(const std::vector<Spectrogram>& clips);

}  // namespace tessera::codecs
