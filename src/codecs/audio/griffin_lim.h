#pragma once
// Griffin-Lim: a waveform whose STFT magnitude approaches a given one, by alternating
// projections (with the "fast" momentum of Perraudin et al. 2013). The baseline vocoder
// of the audio codec.
#include <cstdint>
#include <vector>

#include "codecs/audio/mel_spectrogram.h"

namespace tessera::codecs {

struct GriffinLimOptions {
  int64_t iterations = 32;
  float momentum = 0.99f;  // 0: the classic algorithm
  uint64_t seed = 0;       // for the random initial phase
};

// magnitude: (frames, n_freqs) -> samples, (frames - 1) * hop of them.
std::vector<float> griffin_lim(const MelSpectrogram& stft, const Spectrogram& magnitude,
                               const GriffinLimOptions& options = {});

// log mel (frames, n_mels) -> waveform: mel_to_magnitude then griffin_lim.
std::vector<float> mel_to_waveform(const MelSpectrogram& stft, const Spectrogram& log_mel,
                                   const GriffinLimOptions& options = {});

}  // namespace tessera::codecs
