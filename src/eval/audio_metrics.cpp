#include "eval/audio_metrics.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace tessera::eval {

namespace {

void check_pair(const codecs::Spectrogram& a, const codecs::Spectrogram& b, const char* what) {
  TESSERA_CHECK(a.frames == b.frames && a.bins == b.bins, what, ": expected two spectrograms of one shape, found (",
                a.frames, ", ", a.bins, ") and (", b.frames, ", ", b.bins, ")");
  TESSERA_CHECK(a.frames > 0 && a.bins > 0, what, ": expected at least one frame and one bin, found (", a.frames, ", ",
                a.bins, ")");
  TESSERA_CHECK(static_cast<int64_t>(a.values.size()) == a.frames * a.bins &&
                    static_cast<int64_t>(b.values.size()) == b.frames * b.bins,
                what, ": a (", a.frames, ", ", a.bins, ") spectrogram needs ", a.frames * a.bins, " values, found ",
                a.values.size(), " and ", b.values.size());
}

double mean(const std::vector<float>& x, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += x[i];
  return sum / static_cast<double>(n);
}

}  // namespace

double log_mel_l1(const codecs::Spectrogram& a, const codecs::Spectrogram& b) {
  check_pair(a, b, "log-mel L1");
  double sum = 0;
  for (size_t i = 0; i < a.values.size(); ++i) sum += std::abs(static_cast<double>(a.values[i]) - b.values[i]);
  return sum / static_cast<double>(a.values.size());
}

double log_spectral_distance(const codecs::Spectrogram& a, const codecs::Spectrogram& b) {
  check_pair(a, b, "log-spectral distance");
  double total = 0;
  for (int64_t t = 0; t < a.frames; ++t) {
    double squares = 0;
    for (int64_t f = 0; f < a.bins; ++f) {
      // 10 log10(|A|^2 / |B|^2) = 20 log10(|A| / |B|)
      const double db = 20 * std::log10(std::max(static_cast<double>(std::abs(a.at(t, f))), 1e-5) /
                                        std::max(static_cast<double>(std::abs(b.at(t, f))), 1e-5));
      squares += db * db;
    }
    total += std::sqrt(squares / static_cast<double>(a.bins));
  }
  return total / static_cast<double>(a.frames);
}

double si_snr(const std::vector<float>& estimate, const std::vector<float>& reference) {
  const size_t n = std::min(estimate.size(), reference.size());
  TESSERA_CHECK(n > 0, "si-snr: expected samples in both signals, found ", estimate.size(), " and ", reference.size());
  const double mean_e = mean(estimate, n), mean_r = mean(reference, n);
  double dot = 0, energy_r = 0;
  for (size_t i = 0; i < n; ++i) {
    const double e = estimate[i] - mean_e, r = reference[i] - mean_r;
    dot += e * r;
    energy_r += r * r;
  }
  TESSERA_CHECK(energy_r > 0,
                "si-snr: the reference is constant (silent after removing its mean): no scale to "
                "compare against");
  // The estimate's part along the reference, and the rest.
  const double scale = dot / energy_r;
  double target = 0, noise = 0;
  for (size_t i = 0; i < n; ++i) {
    const double e = estimate[i] - mean_e, s = scale * (reference[i] - mean_r);
    target += s * s;
    noise += (e - s) * (e - s);
  }
  // The tiny floor keeps an exact copy finite (and very high) instead of infinite.
  return 10 * std::log10((target + 1e-20) / (noise + 1e-20));
}

}  // namespace tessera::eval
