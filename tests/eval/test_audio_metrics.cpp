// The audio metrics by their definitions: SI-SNR of copies, scaled copies and signals with
// noise at a known level; the log-spectral distance and log-mel L1 on hand-made inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/rng.h"
#include "eval/audio_metrics.h"
#include "support/expect_error.h"

namespace tessera::eval {
namespace {

std::vector<float> tone(size_t n) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(0.5 * std::sin(2 * std::numbers::pi * 440 * static_cast<double>(i) / 16000) +
                              0.2 * std::sin(2 * std::numbers::pi * 1230 * static_cast<double>(i) / 16000));
  }
  return x;
}

double power(const std::vector<float>& x) {
  double sum = 0;
  for (const float v : x) sum += static_cast<double>(v) * v;
  return sum / static_cast<double>(x.size());
}

TEST(SiSnr, ScaledCopyIsVeryHighAndOffsetDoesNotCount) {
  const std::vector<float> x = tone(16000);
  std::vector<float> scaled(x.size());
  for (size_t i = 0; i < x.size(); ++i) scaled[i] = -0.3f * x[i] + 0.1f;  // scale, sign and DC offset
  EXPECT_GT(si_snr(scaled, x), 100.0);
  EXPECT_GT(si_snr(x, x), 100.0);
}

TEST(SiSnr, NoiseAtAKnownSnrGivesThatSnr) {
  const std::vector<float> x = tone(32000);
  Rng rng(7);
  std::vector<float> noise(x.size());
  for (float& v : noise) v = rng.normal();
  for (const double snr_db : {0.0, 10.0, 20.0}) {
    const double gain = std::sqrt(power(x) / power(noise) / std::pow(10.0, snr_db / 10));
    std::vector<float> noisy(x.size());
    for (size_t i = 0; i < x.size(); ++i) noisy[i] = x[i] + static_cast<float>(gain) * noise[i];
    EXPECT_NEAR(si_snr(noisy, x), snr_db, 0.5) << snr_db << " dB";
  }
}

TEST(SiSnr, ComparesTheCommonLengthAndRefusesSilence) {
  const std::vector<float> x = tone(1000);
  std::vector<float> longer = x;
  longer.resize(1500, 0.9f);  // beyond the reference's end: not compared
  EXPECT_GT(si_snr(longer, x), 100.0);
  expect_error([&] { si_snr({}, x); }, {"si-snr: expected samples in both signals, found 0 and 1000"});
  expect_error([&] { si_snr(x, std::vector<float>(1000, 0.25f)); }, {"si-snr: the reference is constant"});
}

TEST(LogSpectralDistance, IsZeroForIdenticalAndTwentyDbForTenfold) {
  const codecs::Spectrogram a{{1, 2, 3, 4, 5, 6}, 2, 3};
  EXPECT_EQ(log_spectral_distance(a, a), 0.0);
  codecs::Spectrogram b = a;
  for (float& v : b.values) v *= 10;
  EXPECT_NEAR(log_spectral_distance(b, a), 20.0, 1e-5);
  // One bin of one frame 10x: that frame sqrt(20^2 / 3), the other 0, averaged.
  codecs::Spectrogram c = a;
  c.values[4] *= 10;
  EXPECT_NEAR(log_spectral_distance(c, a), 20 / std::sqrt(3.0) / 2, 1e-5);
  // Magnitudes under 1e-5 count as 1e-5: silence against near-silence is no distance.
  EXPECT_EQ(log_spectral_distance(codecs::Spectrogram{{0, 1e-6f}, 1, 2}, codecs::Spectrogram{{1e-5f, 0}, 1, 2}), 0.0);
  expect_error(
      [&] {
        log_spectral_distance(a, codecs::Spectrogram{{1, 2, 3}, 1, 3});
      },
      {"log-spectral distance: expected two spectrograms of one shape, found (2, 3) and (1, 3)"});
}

TEST(LogMelL1, IsTheMeanAbsoluteDifference) {
  const codecs::Spectrogram a{{0, 1, 2, 3}, 2, 2}, b{{1, 1, 0, 3}, 2, 2};
  EXPECT_DOUBLE_EQ(log_mel_l1(a, b), 0.75);
  EXPECT_EQ(log_mel_l1(a, a), 0.0);
  expect_error(
      [&] {
        log_mel_l1(a, codecs::Spectrogram{{0, 1, 2}, 2, 2});
      },
      {"log-mel L1: a (2, 2) spectrogram needs 4 values, found 4 and 3"});
}

}  // namespace
}  // namespace tessera::eval
