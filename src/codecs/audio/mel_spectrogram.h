#pragma once
// The audio codec's front end: the log-mel spectrogram of a waveform (FFTW real FFTs), and
// the way back from mel bins to a linear magnitude spectrogram for the vocoder.
//
// Frames are centred: frame t covers samples [t hop - n_fft/2, t hop + n_fft/2), the
// signal reflect-padded at both ends, so a clip of S samples has S / hop + 1 frames. The
// window is a periodic Hann of win_length, zero-padded to n_fft. Mel bins are triangles on
// the HTK mel scale between f_min and f_max, area-normalized (Slaney), as torchaudio's
// MelScale(norm="slaney", mel_scale="htk"). log_mel = ln(max(mel power, 1e-5)).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/fields.h"

namespace tessera::codecs {

struct MelConfig {
  int64_t sample_rate = 16000;
  int64_t n_fft = 1024;
  int64_t win_length = 1024;
  int64_t hop_length = 160;  // 100 frames per second at 16 kHz
  int64_t n_mels = 80;
  double f_min = 0.0, f_max = 8000.0;

  // win_length defaults to n_fft, f_max to half the sample rate.
  void fields(Fields& f);
  int64_t n_freqs() const { return n_fft / 2 + 1; }
  double frames_per_second() const { return static_cast<double>(sample_rate) / hop_length; }
  int64_t frames_for(int64_t samples) const { return samples / hop_length + 1; }
};

// A (frames, bins) row-major matrix of floats.
struct Spectrogram {
  std::vector<float> values;
  int64_t frames = 0, bins = 0;
  float at(int64_t t, int64_t f) const { return values[static_cast<size_t>(t * bins + f)]; }
};

// Precomputes the window, the FFT plans (FFTW plans are made once, under a lock: FFTW's
// planner is not thread-safe) and the mel filterbank. Thread-safe to use once built.
class MelSpectrogram {
 public:
  explicit MelSpectrogram(const MelConfig& config);
  ~MelSpectrogram();
  MelSpectrogram(const MelSpectrogram&) = delete;
  MelSpectrogram& operator=(const MelSpectrogram&) = delete;

  const MelConfig& config() const { return config_; }
  // samples -> (frames_for(S), n_freqs) linear magnitudes |STFT|
  Spectrogram magnitude(const std::vector<float>& samples) const;
  // samples -> (frames_for(S), n_mels) log mel power
  Spectrogram log_mel(const std::vector<float>& samples) const;
  // (frames, n_freqs) magnitudes -> (frames, n_mels) log mel power
  Spectrogram log_mel_of_magnitude(const Spectrogram& magnitude) const;
  // (frames, n_mels) log mel -> (frames, n_freqs) magnitudes: the non-negative least-squares
  // inverse of the filterbank (projected gradient), square-rooted.
  Spectrogram mel_to_magnitude(const Spectrogram& log_mel) const;
  // The filterbank, (n_mels, n_freqs) row-major.
  const std::vector<float>& filterbank() const { return filterbank_; }

  // Short-time Fourier transform and its inverse, used by Griffin-Lim. Complex values are
  // interleaved (re, im): (frames, n_freqs, 2). `istft` overlap-adds with the window and
  // divides by the summed squared window, returning `samples` samples.
  std::vector<float> stft(const std::vector<float>& samples) const;
  std::vector<float> istft(const std::vector<float>& spectrum, int64_t frames, int64_t samples) const;

 private:
  struct Plans;
  MelConfig config_;
  std::vector<float> window_, filterbank_;
  Plans* plans_;
};

}  // namespace tessera::codecs
