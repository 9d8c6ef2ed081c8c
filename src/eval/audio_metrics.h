#pragma once
// Measures of reconstructed audio against the original.
#include <vector>

#include "codecs/audio/mel_spectrogram.h"

namespace tessera::eval {

// Mean |a - b| over every (frame, bin) of two log-mel spectrograms of one shape (nats).
double log_mel_l1(const codecs::Spectrogram& a, const codecs::Spectrogram& b);
// Log-spectral distance in dB: per frame sqrt(mean_f (10 log10(|A|^2 / |B|^2))^2), averaged
// over frames; magnitudes floored at 1e-5 before the log. Shapes must match.
double log_spectral_distance(const codecs::Spectrogram& a, const codecs::Spectrogram& b);
// Scale-invariant signal-to-noise ratio in dB of `estimate` against `reference` (both
// mean-removed; the shorter length of the two is compared).
double si_snr(const std::vector<float>& estimate, const std::vector<float>& reference);

}  // namespace tessera::eval
