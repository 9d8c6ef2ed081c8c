#pragma once
// Synthetic log-mel clips for audio codec tests: a few tones whose pitch glides up and down
// (sinusoidally) over a quiet floor, so a tiny codec can learn them in seconds without any
// audio front end.
#include <cstdint>
#include <vector>

#include "codecs/audio/audio_codec_config.h"

namespace tessera::testing {

// `count` clips of (frames, n_mels) log-mel, frames drawn in [min_frames, max_frames]: the
// floor ln(1e-5) plus two or three Gaussian bands across the bins, each centred on a bin
// that moves as a sine of time with its own rate, depth and level, from `seed`.
std::vector<codecs::Spectrogram> moving_sines(int64_t count, int64_t min_frames, int64_t max_frames, int64_t n_mels,
                                              uint64_t seed);

// A config for tests: 16 mel bins (n_fft 256, hop 160 at 16 kHz: 100 frames/s), widths
// [16, 16, 32], 2 halvings (4 mel frames per code frame), one residual block per level, 4
// norm groups, FSQ [5, 5, 5] (125 codes) in `stages` stages.
codecs::AudioCodecConfig tiny_audio_codec_config(int64_t stages = 2);

}  // namespace tessera::testing
