#pragma once
// Audio files in and out through libsndfile (WAV, FLAC and the other formats it reads),
// resampled through libsamplerate. Inside the engine audio is mono f32 in [-1, 1] at one
// rate (16 kHz unless a codec's config says otherwise): channels are averaged, the rate is
// converted with libsamplerate's medium sinc converter (the best one costs 3-4x the time;
// the medium one's passband ends near 90% of the output's Nyquist frequency, see audio.cpp).
#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

inline constexpr int64_t kEngineSampleRate = 16000;

struct Audio {
  std::vector<float> samples;  // mono, [-1, 1]
  int64_t sample_rate = 0;     // Hz
  double seconds() const { return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0; }
};

struct AudioReadOptions {
  int64_t sample_rate = kEngineSampleRate;  // resampled to this
  double max_seconds = 60.0;                // longer files are an error (0: no limit)
};

// Reads `path`, mixes to mono and resamples. Errors name the file and say what is wrong:
// missing, not an audio file (libsndfile's reason), empty, or longer than the limit (both
// durations in the message).
Audio read_audio(const std::string& path, const AudioReadOptions& options = {});

// Writes 16-bit PCM WAV, or FLAC when the path ends in .flac, atomically (temp + rename).
// Samples outside [-1, 1] are clipped.
void write_audio(const std::string& path, const Audio& audio);
// The bytes write_audio would write (flac: FLAC, else WAV), in memory; `what` names the
// audio in errors.
std::string encode_audio(const Audio& audio, bool flac, const std::string& what = "audio");

// Sample-rate conversion of mono f32 (libsamplerate, SRC_SINC_MEDIUM_QUALITY): S samples
// become round(S * to_rate / from_rate).
std::vector<float> resample(const std::vector<float>& samples, int64_t from_rate, int64_t to_rate);

}  // namespace tessera
