#include "codecs/audio/griffin_lim.h"

#include <cmath>
#include <numbers>

#include "core/error.h"
#include "core/rng.h"

namespace tessera::codecs {

// magnitude (frames, n_freqs) -> samples ((frames - 1) hop)
std::vector<float> griffin_lim(const MelSpectrogram& stft, const Spectrogram& magnitude,
                               const GriffinLimOptions& options) {
  const int64_t n_freqs = stft.config().n_freqs();
  TESSERA_CHECK(magnitude.frames >= 2 && magnitude.bins == n_freqs &&
                    static_cast<int64_t>(magnitude.values.size()) == magnitude.frames * n_freqs,
                "griffin-lim: expected a magnitude spectrogram of at least 2 frames x ", n_freqs, " bins, found ",
                magnitude.frames, " x ", magnitude.bins, " holding ", magnitude.values.size(), " values");
  TESSERA_CHECK(options.iterations >= 0, "griffin-lim: expected iterations >= 0, found ", options.iterations);
  TESSERA_CHECK(options.momentum >= 0 && options.momentum < 1, "griffin-lim: expected a momentum in [0, 1), found ",
                options.momentum);
  const int64_t samples = (magnitude.frames - 1) * stft.config().hop_length;
  const size_t bins = magnitude.values.size();

  // Unit phases (re, im) per bin, starting uniformly random.
  std::vector<float> phase(2 * bins);
  Rng rng(options.seed);
  for (size_t i = 0; i < bins; ++i) {
    const double angle = 2 * std::numbers::pi * rng.uniform();
    phase[2 * i] = static_cast<float>(std::cos(angle));
    phase[2 * i + 1] = static_cast<float>(std::sin(angle));
  }
  const auto with_magnitude = [&] {
    std::vector<float> spectrum(2 * bins);
    for (size_t i = 0; i < bins; ++i) {
      spectrum[2 * i] = magnitude.values[i] * phase[2 * i];
      spectrum[2 * i + 1] = magnitude.values[i] * phase[2 * i + 1];
    }
    return spectrum;
  };

  // Each step projects onto consistent spectrograms (istft then stft), extrapolates by
  // `momentum` past the previous projection (Perraudin, Balazs and Sondergaard's fast
  // Griffin-Lim), and keeps only the phase.
  std::vector<float> previous(2 * bins, 0.0f);
  const float alpha = options.momentum;
  for (int64_t iteration = 0; iteration < options.iterations; ++iteration) {
    const std::vector<float> rebuilt = stft.stft(stft.istft(with_magnitude(), magnitude.frames, samples));
    for (size_t i = 0; i < bins; ++i) {
      const float re = rebuilt[2 * i] + alpha * (rebuilt[2 * i] - previous[2 * i]);
      const float im = rebuilt[2 * i + 1] + alpha * (rebuilt[2 * i + 1] - previous[2 * i + 1]);
      const float norm = std::hypot(re, im);
      // A bin that cancelled out keeps its phase: any phase fits a zero.
      if (norm > 1e-16f) {
        phase[2 * i] = re / norm;
        phase[2 * i + 1] = im / norm;
      }
    }
    previous = rebuilt;
  }
  return stft.istft(with_magnitude(), magnitude.frames, samples);
}

// log mel (frames, n_mels) -> samples ((frames - 1) hop)
std::vector<float> mel_to_waveform(const MelSpectrogram& stft, const Spectrogram& log_mel,
                                   const GriffinLimOptions& options) {
  return griffin_lim(stft, stft.mel_to_magnitude(log_mel), options);
}

}  // namespace tessera::codecs
