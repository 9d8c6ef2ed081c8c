// The log-mel front end against PyTorch (torch.stft and torchaudio's filterbank formula in
// float64, tests/codecs/mel_reference.py), the STFT round trip, the config's checks and
// the mel inverse.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <thread>

#include "codecs/audio/mel_spectrogram.h"
#include "core/rng.h"
#include "support/expect_error.h"
#include "support/torch_oracle.h"

namespace tessera::codecs {
namespace {

std::vector<float> noise(int64_t n, uint64_t seed, float amplitude = 0.5f) {
  Rng rng(seed);
  std::vector<float> x(static_cast<size_t>(n));
  for (float& v : x) v = amplitude * (2 * rng.uniform() - 1);
  return x;
}

Safetensors reference(const MelConfig& c, const std::vector<float>& samples) {
  return testing::torch_call("script",
                             {{"samples", Tensor::from_vector(samples, {static_cast<int64_t>(samples.size())})}},
                             {{"path", "tests/codecs/mel_reference.py"},
                              {"sample_rate", std::to_string(c.sample_rate)},
                              {"n_fft", std::to_string(c.n_fft)},
                              {"win_length", std::to_string(c.win_length)},
                              {"hop_length", std::to_string(c.hop_length)},
                              {"n_mels", std::to_string(c.n_mels)},
                              {"f_min", std::to_string(c.f_min)},
                              {"f_max", std::to_string(c.f_max)}});
}

double max_abs(const std::vector<float>& x) {
  double m = 0;
  for (const float v : x) m = std::max(m, static_cast<double>(std::abs(v)));
  return m;
}

double max_difference(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
  }
  return worst;
}

MelConfig small_config() {
  MelConfig c;
  c.n_fft = 512;
  c.win_length = 400;
  c.hop_length = 160;
  c.n_mels = 40;
  c.f_min = 20;
  c.f_max = 7600;
  return c;
}

TEST(MelSpectrogram, FramesAreSamplesOverHopPlusOne) {
  const MelSpectrogram mel(MelConfig{});
  for (const int64_t s : {16000, 16001, 15999, 160, 100, 1}) {
    const Spectrogram m = mel.log_mel(noise(s, 1));
    EXPECT_EQ(m.frames, s / 160 + 1) << s << " samples";
    EXPECT_EQ(m.bins, 80);
    EXPECT_EQ(m.values.size(), static_cast<size_t>(m.frames * 80));
    const Spectrogram mag = mel.magnitude(noise(s, 1));
    EXPECT_EQ(mag.frames, m.frames);
    EXPECT_EQ(mag.bins, 513);
  }
  expect_error([&] { mel.log_mel({}); }, {"stft: expected at least one sample, found none"});
}

// Both configs: the default (80 mels, 1024-point FFT) and one with a window shorter than
// the FFT and a band that starts above 0 Hz.
TEST(MelSpectrogram, MatchesTorchStftAndTorchaudiosFilterbank) {
  for (const MelConfig& c : {MelConfig{}, small_config()}) {
    const MelSpectrogram mel(c);
    const std::vector<float> samples = noise(8000 + 37, 2);
    const Safetensors ref = reference(c, samples);
    const Spectrogram magnitude = mel.magnitude(samples);
    const std::vector<float> ref_magnitude = ref.get("magnitude").to_vector();
    ASSERT_EQ(ref.get("magnitude").size(0), magnitude.frames);
    EXPECT_LT(max_difference(magnitude.values, ref_magnitude), 2e-5 * max_abs(ref_magnitude)) << c.n_fft;
    EXPECT_LT(max_difference(mel.filterbank(), ref.get("filterbank").to_vector()),
              1e-6 * max_abs(ref.get("filterbank").to_vector()))
        << c.n_fft;
    // White noise keeps every band far above the 1e-5 floor, so the logs compare closely.
    EXPECT_LT(max_difference(mel.log_mel(samples).values, ref.get("log_mel").to_vector()), 1e-4) << c.n_fft;
  }
}

TEST(MelSpectrogram, FilterbankRowsAreUnitAreaTrianglesInHz) {
  const MelConfig c;
  const MelSpectrogram mel(c);
  const double bin_hz = static_cast<double>(c.sample_rate) / c.n_fft;
  const std::vector<float>& fb = mel.filterbank();
  for (int64_t m = 0; m < c.n_mels; ++m) {
    double area = 0;
    int64_t nonzero = 0, peak = 0;
    for (int64_t k = 0; k < c.n_freqs(); ++k) {
      const float w = fb[static_cast<size_t>(m * c.n_freqs() + k)];
      EXPECT_GE(w, 0.0f);
      area += w * bin_hz;
      nonzero += w > 0;
      if (w > fb[static_cast<size_t>(m * c.n_freqs() + peak)]) peak = k;
    }
    // The peak sits at the filter's centre on the HTK scale: mel(f) = 2595 log10(1 + f / 700).
    const double centre_mel = 2595 * std::log10(1 + c.f_max / 700) * static_cast<double>(m + 1) / (c.n_mels + 1);
    const double centre_hz = 700 * (std::pow(10, centre_mel / 2595) - 1);
    EXPECT_LE(std::abs(static_cast<double>(peak) * bin_hz - centre_hz), bin_hz) << "filter " << m;
    // Sampling a triangle on the bin grid keeps its area once it spans a few bins.
    if (nonzero >= 8) {
      EXPECT_NEAR(area, 1.0, 0.02) << "filter " << m;
    }
  }
}

TEST(MelSpectrogram, IstftOfStftReconstructsTheSignal) {
  for (const MelConfig& c : {MelConfig{}, small_config()}) {
    const MelSpectrogram mel(c);
    for (const int64_t s : {16000, 12345}) {
      const std::vector<float> x = noise(s, 3);
      const std::vector<float> spectrum = mel.stft(x);
      const std::vector<float> back = mel.istft(spectrum, c.frames_for(s), s);
      EXPECT_LT(max_difference(back, x), 1e-4) << c.n_fft << " / " << s;
    }
  }
  const MelSpectrogram mel(MelConfig{});
  expect_error([&] { mel.istft(std::vector<float>(10), 2, 160); }, {"istft: 2 frames of 513 complex bins need 2052"});
}

TEST(MelSpectrogram, MelToMagnitudeFitsTheMelItCameFrom) {
  const MelSpectrogram mel(MelConfig{});
  // A harmonic tone over noise: peaks and valleys for the inverse to keep apart.
  std::vector<float> x = noise(16000, 4, 0.01f);
  for (size_t i = 0; i < x.size(); ++i) {
    for (int h = 1; h <= 5; ++h)
      x[i] += 0.1f / h * static_cast<float>(std::sin(2 * std::numbers::pi * 220 * h * static_cast<double>(i) / 16000));
  }
  const Spectrogram log_mel = mel.log_mel(x);
  const Spectrogram magnitude = mel.mel_to_magnitude(log_mel);
  EXPECT_EQ(magnitude.frames, log_mel.frames);
  EXPECT_EQ(magnitude.bins, 513);
  for (const float v : magnitude.values) ASSERT_GE(v, 0.0f);
  const Spectrogram again = mel.log_mel_of_magnitude(magnitude);
  double error = 0;
  for (size_t i = 0; i < again.values.size(); ++i) error += std::abs(again.values[i] - log_mel.values[i]);
  error /= static_cast<double>(again.values.size());
  EXPECT_LT(error, 0.05) << "mean |log mel difference| in nats";
  EXPECT_EQ(mel.mel_to_magnitude(log_mel).values, magnitude.values);  // deterministic
  expect_error(
      [&] {
        mel.mel_to_magnitude(Spectrogram{std::vector<float>(6), 2, 3});
      },
      {"mel to magnitude: expected a log mel spectrogram of (frames, 80) values, found 2 frames x 3 bins"});
}

// Plans are made under a lock and each call keeps its own buffers, so spectrograms built
// and used on several threads at once equal the ones made one after another.
TEST(MelSpectrogram, ThreadsShareNothingMutable) {
  const std::vector<float> x = noise(8000, 5);
  const std::vector<float> expected = MelSpectrogram(small_config()).log_mel(x).values;
  const MelSpectrogram shared(small_config());
  std::vector<std::vector<float>> own(4), common(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      own[i] = MelSpectrogram(small_config()).log_mel(x).values;
      common[i] = shared.log_mel(x).values;
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(own[i], expected) << i;
    EXPECT_EQ(common[i], expected) << i;
  }
}

MelConfig read_mel(const nlohmann::json& j, const std::string& path = "mel") {
  return read_config<MelConfig>(config_source(j, "codec.json", path));
}

TEST(MelConfig, ReadsFieldsAndDefaults) {
  const MelConfig c = read_mel({{"n_fft", 512}, {"hop_length", 128}, {"n_mels", 64}});
  EXPECT_EQ(c.n_fft, 512);
  EXPECT_EQ(c.win_length, 512);  // defaults to the FFT size
  EXPECT_EQ(c.hop_length, 128);
  EXPECT_EQ(c.n_mels, 64);
  EXPECT_EQ(c.sample_rate, 16000);
  EXPECT_EQ(c.f_max, 8000.0);
  EXPECT_EQ(write_config(read_mel(write_config(c))), write_config(c));
  EXPECT_EQ(read_mel({{"sample_rate", 22050}}).f_max, 11025.0);  // Nyquist by default
}

TEST(MelConfig, ErrorsNameTheFileAndField) {
  expect_error([] { read_mel({{"n_mel", 80}}); }, {"codec.json: field 'mel.n_mel': unknown field"});
  expect_error(
      [] {
        read_mel({{"f_max", 9000}});
      },
      {"codec.json: field 'mel.f_max': expected a number in (0, 8000], found 9000"});
  expect_error(
      [] {
        read_mel({{"n_fft", 256}, {"win_length", 400}}, "audio.mel");
      },
      {"codec.json: field 'audio.mel.win_length': expected an integer in [1, 256], found 400"});
  expect_error([] { read_mel({{"hop_length", 0}}); }, {"field 'mel.hop_length': expected an integer >= 1, found 0"});
  expect_error([] { read_mel({{"n_fft", "big"}}); }, {"field 'mel.n_fft': expected an integer >= 2, found \"big\""});
  expect_error([] { read_mel(nlohmann::json::array()); }, {"codec.json: field 'mel': expected a JSON object"});
}

TEST(MelSpectrogram, EmptyFiltersAreRefused) {
  MelConfig c;
  c.n_fft = 64;  // bins 250 Hz apart: the lowest of 80 filters fall between bins
  c.win_length = 64;
  expect_error([&] { MelSpectrogram{c}; }, {"mel filter 0 covers no FFT bin", "n_mels (80)", "n_fft (64"});
  c.win_length = 128;
  expect_error([&] { MelSpectrogram{c}; },
               {"mel spectrogram config: field 'win_length': expected an integer in [1, 64], found 128"});
}

}  // namespace
}  // namespace tessera::codecs
