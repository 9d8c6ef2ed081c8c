// Audio files: round trips through WAV and FLAC, resampling that keeps a tone's frequency
// and level, stereo mixdown, and the messages for files that cannot be read.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <fstream>
#include <numbers>

#include "io/atomic_file.h"
#include "io/audio.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

std::vector<float> sine(double frequency, double amplitude, int64_t rate, double seconds) {
  std::vector<float> out(static_cast<size_t>(seconds * static_cast<double>(rate)));
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<float>(amplitude * std::sin(2 * std::numbers::pi * frequency * static_cast<double>(i) / rate));
  }
  return out;
}

// Sign changes in [begin, end): two per period of a sine.
int64_t zero_crossings(const std::vector<float>& x, size_t begin, size_t end) {
  int64_t n = 0;
  for (size_t i = begin + 1; i < end; ++i) n += (x[i - 1] < 0) != (x[i] < 0);
  return n;
}

double rms(const std::vector<float>& x, size_t begin, size_t end) {
  double sum = 0;
  for (size_t i = begin; i < end; ++i) sum += static_cast<double>(x[i]) * x[i];
  return std::sqrt(sum / static_cast<double>(end - begin));
}

double max_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
  return worst;
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

TEST(Audio, WavRoundTripKeepsSamplesTo16Bits) {
  TempDir dir;
  const Audio audio{sine(440, 0.8, 16000, 0.5), 16000};
  write_audio(dir.path("a.wav"), audio);
  EXPECT_EQ(read_file(dir.path("a.wav")).substr(0, 4), "RIFF");
  const Audio back = read_audio(dir.path("a.wav"));
  EXPECT_EQ(back.sample_rate, 16000);
  ASSERT_EQ(back.samples.size(), audio.samples.size());
  EXPECT_LT(max_difference(back.samples, audio.samples), 1.0 / 16384);
  EXPECT_NEAR(back.seconds(), 0.5, 1e-12);
  // Written whole under a temporary name and renamed: nothing else is left behind.
  EXPECT_EQ(dir.listing(), std::vector<std::string>{"a.wav"});
}

TEST(Audio, FlacRoundTripIsLosslessAt16Bits) {
  TempDir dir;
  const Audio audio{sine(1000, 0.5, 22050, 0.3), 22050};
  write_audio(dir.path("a.flac"), audio);
  write_audio(dir.path("a.wav"), audio);
  EXPECT_EQ(read_file(dir.path("a.flac")).substr(0, 4), "fLaC");
  const AudioReadOptions native{22050, 60.0};
  const Audio flac = read_audio(dir.path("a.flac"), native), wav = read_audio(dir.path("a.wav"), native);
  ASSERT_EQ(flac.samples.size(), audio.samples.size());
  EXPECT_EQ(flac.samples, wav.samples);  // the same 16-bit values, losslessly compressed
  EXPECT_LT(read_file(dir.path("a.flac")).size(), read_file(dir.path("a.wav")).size());
}

TEST(Audio, WriteClipsToFullScaleAndRefusesNan) {
  TempDir dir;
  write_audio(dir.path("loud.wav"), Audio{{1.5f, -2.0f, 0.25f}, 16000});
  const Audio back = read_audio(dir.path("loud.wav"));
  ASSERT_EQ(back.samples.size(), 3u);
  EXPECT_NEAR(back.samples[0], 1.0, 1e-4);
  EXPECT_NEAR(back.samples[1], -1.0, 1e-4);
  EXPECT_NEAR(back.samples[2], 0.25, 1e-4);
  expect_error([&] { write_audio(dir.path("nan.wav"), Audio{{0.0f, NAN}, 16000}); }, {"nan.wav", "sample 1 is NaN"});
  expect_error([&] { write_audio(dir.path("none.wav"), Audio{{}, 16000}); }, {"none.wav", "no samples"});
}

TEST(Audio, Resample48kTo16kKeepsTheTonesFrequencyAndLevel) {
  const std::vector<float> in = sine(1000, 0.5, 48000, 1.0);
  const std::vector<float> out = resample(in, 48000, 16000);
  ASSERT_EQ(out.size(), 16000u);
  // Away from the edges, where the converter's filter sees the ends of the signal.
  const size_t begin = 1600, end = 14400;  // 0.8 s: 800 periods, 1600 sign changes
  EXPECT_NEAR(static_cast<double>(zero_crossings(out, begin, end)), 1600.0, 2.0);
  EXPECT_NEAR(rms(out, begin, end), 0.5 / std::sqrt(2.0), 0.005);
  // And the phase: the converted tone lines up with a tone made at 16 kHz.
  const std::vector<float> reference = sine(1000, 0.5, 16000, 1.0);
  double worst = 0;
  for (size_t i = begin; i < end; ++i) worst = std::max(worst, std::abs(static_cast<double>(out[i]) - reference[i]));
  EXPECT_LT(worst, 0.01);
}

TEST(Audio, ReadResamplesToTheRequestedRate) {
  TempDir dir;
  write_audio(dir.path("a.wav"), Audio{sine(500, 0.5, 22050, 1.0), 22050});
  const Audio audio = read_audio(dir.path("a.wav"));
  EXPECT_EQ(audio.sample_rate, kEngineSampleRate);
  EXPECT_EQ(audio.samples.size(), 16000u);
  EXPECT_NEAR(static_cast<double>(zero_crossings(audio.samples, 1600, 14400)), 800.0, 2.0);
  expect_error([&] { resample({0.1f}, 0, 16000); }, {"expected positive sample rates", "0 -> 16000"});
}

TEST(Audio, StereoIsMixedToMono) {
  TempDir dir;
  const std::string path = dir.path("stereo.wav");
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(file, nullptr) << sf_strerror(nullptr);
  const std::vector<float> frames{0.5f, -0.25f, 0.2f, 0.4f, -0.6f, -0.2f};  // (left, right) x 3
  sf_writef_float(file, frames.data(), 3);
  sf_close(file);
  const Audio audio = read_audio(path);
  ASSERT_EQ(audio.samples.size(), 3u);
  EXPECT_FLOAT_EQ(audio.samples[0], 0.125f);
  EXPECT_FLOAT_EQ(audio.samples[1], 0.3f);
  EXPECT_FLOAT_EQ(audio.samples[2], -0.4f);
}

TEST(Audio, MissingFileIsNamed) {
  TempDir dir;
  expect_error([&] { read_audio(dir.path("nowhere.wav")); }, {"nowhere.wav", "No such file"});
}

TEST(Audio, TextFileIsNotAudio) {
  TempDir dir;
  write_text(dir.path("notes.wav"), "hello, this is text\n");
  expect_error([&] { read_audio(dir.path("notes.wav")); },
               {"notes.wav", "not an audio file", "libsndfile: ", "\"hello, t\""});
}

TEST(Audio, EmptyFilesAreNamed) {
  TempDir dir;
  write_text(dir.path("zero.wav"), "");
  expect_error([&] { read_audio(dir.path("zero.wav")); }, {"zero.wav", "empty file"});
  // A valid WAV header with no samples after it.
  const std::string path = dir.path("silent.wav");
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  sf_close(sf_open(path.c_str(), SFM_WRITE, &info));
  expect_error([&] { read_audio(path); }, {"silent.wav", "empty audio", "no samples"});
}

TEST(Audio, TooLongFileGivesBothDurations) {
  TempDir dir;
  write_audio(dir.path("long.wav"), Audio{std::vector<float>(3 * 16000, 0.1f), 16000});
  expect_error(
      [&] {
        read_audio(dir.path("long.wav"), AudioReadOptions{16000, 2.0});
      },
      {"long.wav", "3.00 s of audio", "limit of 2.00 s"});
  EXPECT_EQ(read_audio(dir.path("long.wav"), AudioReadOptions{16000, 0.0}).samples.size(), 48000u);
}

}  // namespace
}  // namespace tessera
