#pragma once
// An audio codec measured on held-out speech: every clip's log-mel encoded and decoded, and
// the decoded log-mel turned back into sound, compared with the original (audio_metrics.h):
//
//   log-mel L1       mean |decoded - original| log-mel (nats), what the codec was trained on
//   LSD              log-spectral distance (dB) between the linear magnitudes the decoded mel
//                    implies (MelSpectrogram::mel_to_magnitude) and the clip's own |STFT|
//   SI-SNR           of the Griffin-Lim waveform of the decoded mel against the clip
//   ceilings         LSD and SI-SNR the same way from the ORIGINAL mel: what the mel front
//                    end and the vocoder allow by themselves, so the codec's own loss is the
//                    gap to them. SI-SNR compares waveforms sample by sample, and Griffin-Lim
//                    invents its phase, so even its ceiling is far below 0 dB on speech.
//
// and the codes' use of each stage's codebook (share used, perplexity). Each metric is a
// mean over clips.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "codecs/audio/audio_codec.h"
#include "data/speech_set.h"
#include "eval/image_metrics.h"
#include "io/image.h"

namespace tessera::eval {

struct AudioCodecEvalOptions {
  int64_t clips = 0;  // the first N clips of the set (0: all)
  codecs::GriffinLimOptions griffin_lim;
  std::string wav_dir;    // when set: clips' reconstructions written there as <clip name>.wav,
  int64_t wav_clips = 0;  // the first N measured clips' (0: every one's)
};

struct AudioCodecReport {
  int64_t clips = 0;
  double seconds = 0;  // of audio
  int64_t tokens = 0;
  double log_mel_l1 = 0, log_spectral_distance = 0, si_snr = 0;
  double log_spectral_distance_ceiling = 0, si_snr_ceiling = 0;
  std::vector<CodeUsage> stages;  // per stage, over its own codebook
};

// Progress goes to `progress` (a bar on a terminal).
AudioCodecReport evaluate_audio_codec(const codecs::AudioCodec& codec, const data::SpeechSet& set,
                                      const AudioCodecEvalOptions& options, std::FILE* progress = stderr);

// The first `clips` clips' log-mel spectrograms over their reconstructions, each titled
// with the clip's text and voice,
// stacked top to bottom (low frequencies at the bottom of each), every cell `scale` pixels,
// on one colour scale from the log-mel floor to the loudest original bin.
Image spectrogram_comparison(const codecs::AudioCodec& codec, const data::SpeechSet& set, int64_t clips,
                             int64_t scale = 2);

}  // namespace tessera::eval
