#include "codecs/audio/mel_spectrogram.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <mutex>
#include <numbers>
#include <numeric>

#include "core/error.h"

namespace tessera::codecs {

namespace {

constexpr float kPowerFloor = 1e-5f;
// Projected-gradient steps of the mel inverse. Accelerated (FISTA), so the fit settles
// well within this many; a fixed count keeps the result a pure function of the input.
constexpr int kNnlsIterations = 100;

// FFTW's planner (and plan destruction) is not thread-safe; executing a made plan on new
// arrays is.
std::mutex& fftw_planner_lock() {
  static std::mutex lock;
  return lock;
}

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

// The sample that reflect padding puts at position i of a signal of n samples. Positions
// beyond a whole length reflect again (the padding of a clip shorter than half a window).
int64_t reflect(int64_t i, int64_t n) {
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

// FFTW's aligned memory, for the arrays a plan runs on.
template <class T>
class FftwBuffer {
 public:
  explicit FftwBuffer(int64_t count) : data_(static_cast<T*>(fftwf_malloc(sizeof(T) * static_cast<size_t>(count)))) {
    TESSERA_CHECK(data_ != nullptr, "mel spectrogram: out of memory for an FFT buffer of ", count, " values");
  }
  ~FftwBuffer() { fftwf_free(data_); }
  FftwBuffer(const FftwBuffer&) = delete;
  FftwBuffer& operator=(const FftwBuffer&) = delete;
  T* get() const { return data_; }

 private:
  T* data_;
};

// Triangles on the HTK mel scale, each scaled to unit area in Hz (Slaney's norm), sampled
// at the FFT bins' true frequencies k * sample_rate / n_fft. (n_mels, n_freqs)
std::vector<float> mel_filterbank(const MelConfig& c) {
  const int64_t n_freqs = c.n_freqs();
  const double m_min = hz_to_mel(c.f_min), m_max = hz_to_mel(c.f_max);
  std::vector<double> edges(static_cast<size_t>(c.n_mels + 2));
  for (size_t i = 0; i < edges.size(); ++i) {
    edges[i] = mel_to_hz(m_min + (m_max - m_min) * static_cast<double>(i) / static_cast<double>(c.n_mels + 1));
  }
  std::vector<float> bank(static_cast<size_t>(c.n_mels * n_freqs), 0.0f);
  for (int64_t m = 0; m < c.n_mels; ++m) {
    const double lo = edges[static_cast<size_t>(m)], mid = edges[static_cast<size_t>(m + 1)],
                 hi = edges[static_cast<size_t>(m + 2)];
    const double area_norm = 2.0 / (hi - lo);
    for (int64_t k = 0; k < n_freqs; ++k) {
      const double f = static_cast<double>(k) * static_cast<double>(c.sample_rate) / static_cast<double>(c.n_fft);
      const double weight = std::max(0.0, std::min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
      bank[static_cast<size_t>(m * n_freqs + k)] = static_cast<float>(weight * area_norm);
    }
  }
  return bank;
}

}  // namespace

// What the constructor prepares besides the window and the filterbank: the two FFT plans,
// each filter's non-zero bins, and the step size of the mel inverse.
struct MelSpectrogram::Plans {
  Plans() = default;
  Plans(const Plans&) = delete;
  Plans& operator=(const Plans&) = delete;
  ~Plans() {
    const std::lock_guard<std::mutex> guard(fftw_planner_lock());
    if (forward != nullptr) fftwf_destroy_plan(forward);
    if (inverse != nullptr) fftwf_destroy_plan(inverse);
  }

  fftwf_plan forward = nullptr, inverse = nullptr;
  std::vector<std::pair<int64_t, int64_t>> filter_bins;  // [begin, end) per mel filter
  std::vector<float> filter_sums;                        // each filter's sum over bins
  float inverse_step = 0;                                // 1 / L, L >= the largest eigenvalue of F F^T (Gershgorin)
};

void MelConfig::fields(Fields& f) {
  f.integer("sample_rate", sample_rate, {.min = 1});
  f.integer("n_fft", n_fft, {.min = 2});
  if (f.reading()) win_length = n_fft;
  f.integer("win_length", win_length, {.min = 1, .max = n_fft});
  f.integer("hop_length", hop_length, {.min = 1});
  f.integer("n_mels", n_mels, {.min = 1});
  f.number("f_min", f_min, {.min = 0});
  const double nyquist = static_cast<double>(sample_rate) / 2;
  if (f.reading()) f_max = nyquist;
  f.number("f_max", f_max, {.min = f_min, .max = nyquist, .above_min = true});
}

MelSpectrogram::MelSpectrogram(const MelConfig& config) : config_(config), plans_(nullptr) {
  // A config built in code gets the checks of one read from a file.
  read_config<MelConfig>(config_source(write_config(config_), "mel spectrogram config"));
  const int64_t n_fft = config_.n_fft, n_freqs = config_.n_freqs(), n_mels = config_.n_mels;

  // A periodic Hann of win_length, centred in n_fft (as torch.stft pads a short window).
  window_.assign(static_cast<size_t>(n_fft), 0.0f);
  const int64_t left = (n_fft - config_.win_length) / 2;
  for (int64_t i = 0; i < config_.win_length; ++i) {
    window_[static_cast<size_t>(left + i)] = static_cast<float>(
        0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(config_.win_length)));
  }

  filterbank_ = mel_filterbank(config_);
  auto plans = std::make_unique<Plans>();
  for (int64_t m = 0; m < n_mels; ++m) {
    const float* row = filterbank_.data() + m * n_freqs;
    int64_t begin = 0, end = n_freqs;
    while (begin < n_freqs && row[begin] == 0) ++begin;
    while (end > begin && row[end - 1] == 0) --end;
    // An empty filter would be a constant ln(1e-5) feature: a config mistake, not a choice.
    TESSERA_CHECK(begin < end, "mel spectrogram config: mel filter ", m, " covers no FFT bin: expected fewer n_mels (",
                  n_mels, ") or a larger n_fft (", n_fft, ", bins ", static_cast<double>(config_.sample_rate) / n_fft,
                  " Hz apart)");
    plans->filter_bins.emplace_back(begin, end);
    plans->filter_sums.push_back(static_cast<float>(std::accumulate(row + begin, row + end, 0.0)));
  }
  // F F^T is non-negative, so its largest row sum bounds its largest eigenvalue.
  double bound = 0;
  for (int64_t a = 0; a < n_mels; ++a) {
    const auto [a_begin, a_end] = plans->filter_bins[static_cast<size_t>(a)];
    double row_sum = 0;
    for (int64_t b = 0; b < n_mels; ++b) {
      const auto [b_begin, b_end] = plans->filter_bins[static_cast<size_t>(b)];
      for (int64_t k = std::max(a_begin, b_begin); k < std::min(a_end, b_end); ++k) {
        row_sum += static_cast<double>(filterbank_[static_cast<size_t>(a * n_freqs + k)]) *
                   filterbank_[static_cast<size_t>(b * n_freqs + k)];
      }
    }
    bound = std::max(bound, row_sum);
  }
  plans->inverse_step = static_cast<float>(1.0 / bound);

  FftwBuffer<float> real(n_fft);
  FftwBuffer<fftwf_complex> complex(n_freqs);
  {
    // FFTW_ESTIMATE: no timing runs, so the plan (and every result) is the same each time.
    const std::lock_guard<std::mutex> guard(fftw_planner_lock());
    plans->forward = fftwf_plan_dft_r2c_1d(static_cast<int>(n_fft), real.get(), complex.get(), FFTW_ESTIMATE);
    plans->inverse = fftwf_plan_dft_c2r_1d(static_cast<int>(n_fft), complex.get(), real.get(), FFTW_ESTIMATE);
  }
  TESSERA_CHECK(plans->forward != nullptr && plans->inverse != nullptr, "mel spectrogram: FFTW cannot plan a ", n_fft,
                "-point real FFT");
  plans_ = plans.release();
}

MelSpectrogram::~MelSpectrogram() { delete plans_; }

// samples (S) -> (frames_for(S), n_freqs, 2)
std::vector<float> MelSpectrogram::stft(const std::vector<float>& samples) const {
  TESSERA_CHECK(!samples.empty(), "stft: expected at least one sample, found none");
  const auto length = static_cast<int64_t>(samples.size());
  const int64_t n_fft = config_.n_fft, n_freqs = config_.n_freqs(), half = n_fft / 2;
  const int64_t frames = config_.frames_for(length);
  std::vector<float> out(static_cast<size_t>(frames * n_freqs * 2));
  FftwBuffer<float> frame(n_fft);
  FftwBuffer<fftwf_complex> spectrum(n_freqs);
  for (int64_t t = 0; t < frames; ++t) {
    const int64_t start = t * config_.hop_length - half;
    float* x = frame.get();
    if (start >= 0 && start + n_fft <= length) {
      for (int64_t k = 0; k < n_fft; ++k)
        x[k] = samples[static_cast<size_t>(start + k)] * window_[static_cast<size_t>(k)];
    } else {
      for (int64_t k = 0; k < n_fft; ++k) {
        x[k] = samples[static_cast<size_t>(reflect(start + k, length))] * window_[static_cast<size_t>(k)];
      }
    }
    fftwf_execute_dft_r2c(plans_->forward, x, spectrum.get());
    std::copy_n(&spectrum.get()[0][0], n_freqs * 2, out.data() + t * n_freqs * 2);
  }
  return out;
}

// (frames, n_freqs, 2) -> (samples)
std::vector<float> MelSpectrogram::istft(const std::vector<float>& spectrum, int64_t frames, int64_t samples) const {
  const int64_t n_fft = config_.n_fft, n_freqs = config_.n_freqs(), half = n_fft / 2;
  TESSERA_CHECK(frames >= 1 && samples >= 0, "istft: expected at least one frame and a sample count >= 0, found ",
                frames, " frames and ", samples, " samples");
  TESSERA_CHECK(static_cast<int64_t>(spectrum.size()) == frames * n_freqs * 2, "istft: ", frames, " frames of ",
                n_freqs, " complex bins need ", frames * n_freqs * 2, " floats, found ", spectrum.size());
  std::vector<double> sum(static_cast<size_t>(samples), 0.0), envelope(static_cast<size_t>(samples), 0.0);
  FftwBuffer<float> frame(n_fft);
  FftwBuffer<fftwf_complex> bins(n_freqs);
  const float scale = 1.0f / static_cast<float>(n_fft);  // FFTW's inverse is unnormalized
  for (int64_t t = 0; t < frames; ++t) {
    // Copied in, because a complex-to-real FFTW transform overwrites its input.
    std::copy_n(spectrum.data() + t * n_freqs * 2, n_freqs * 2, &bins.get()[0][0]);
    fftwf_execute_dft_c2r(plans_->inverse, bins.get(), frame.get());
    const int64_t start = t * config_.hop_length - half;
    const int64_t k0 = std::max<int64_t>(0, -start), k1 = std::min(n_fft, samples - start);
    for (int64_t k = k0; k < k1; ++k) {
      const double w = window_[static_cast<size_t>(k)];
      sum[static_cast<size_t>(start + k)] += frame.get()[k] * scale * w;
      envelope[static_cast<size_t>(start + k)] += w * w;
    }
  }
  std::vector<float> out(static_cast<size_t>(samples), 0.0f);
  for (size_t i = 0; i < out.size(); ++i) {
    if (envelope[i] > 1e-11) out[i] = static_cast<float>(sum[i] / envelope[i]);
  }
  return out;
}

// samples (S) -> (frames_for(S), n_freqs)
Spectrogram MelSpectrogram::magnitude(const std::vector<float>& samples) const {
  const std::vector<float> complex = stft(samples);
  Spectrogram out{std::vector<float>(complex.size() / 2), config_.frames_for(static_cast<int64_t>(samples.size())),
                  config_.n_freqs()};
  for (size_t i = 0; i < out.values.size(); ++i) out.values[i] = std::hypot(complex[2 * i], complex[2 * i + 1]);
  return out;
}

// samples (S) -> (frames_for(S), n_mels)
Spectrogram MelSpectrogram::log_mel(const std::vector<float>& samples) const {
  return log_mel_of_magnitude(magnitude(samples));
}

// (frames, n_freqs) -> (frames, n_mels)
Spectrogram MelSpectrogram::log_mel_of_magnitude(const Spectrogram& magnitude) const {
  const int64_t n_freqs = config_.n_freqs(), n_mels = config_.n_mels;
  TESSERA_CHECK(
      magnitude.bins == n_freqs && static_cast<int64_t>(magnitude.values.size()) == magnitude.frames * n_freqs,
      "log mel: expected a magnitude spectrogram of (frames, ", n_freqs, ") values, found ", magnitude.frames,
      " frames x ", magnitude.bins, " bins holding ", magnitude.values.size(), " values");
  Spectrogram out{std::vector<float>(static_cast<size_t>(magnitude.frames * n_mels)), magnitude.frames, n_mels};
  std::vector<float> power(static_cast<size_t>(n_freqs));
  for (int64_t t = 0; t < magnitude.frames; ++t) {
    const float* mag = magnitude.values.data() + t * n_freqs;
    for (int64_t k = 0; k < n_freqs; ++k) power[static_cast<size_t>(k)] = mag[k] * mag[k];
    for (int64_t m = 0; m < n_mels; ++m) {
      const auto [begin, end] = plans_->filter_bins[static_cast<size_t>(m)];
      const float* row = filterbank_.data() + m * n_freqs;
      float mel = 0;
      for (int64_t k = begin; k < end; ++k) mel += row[k] * power[static_cast<size_t>(k)];
      out.values[static_cast<size_t>(t * n_mels + m)] = std::log(std::max(mel, kPowerFloor));
    }
  }
  return out;
}

// (frames, n_mels) -> (frames, n_freqs)
Spectrogram MelSpectrogram::mel_to_magnitude(const Spectrogram& log_mel) const {
  const int64_t n_freqs = config_.n_freqs(), n_mels = config_.n_mels;
  TESSERA_CHECK(log_mel.bins == n_mels && static_cast<int64_t>(log_mel.values.size()) == log_mel.frames * n_mels,
                "mel to magnitude: expected a log mel spectrogram of (frames, ", n_mels, ") values, found ",
                log_mel.frames, " frames x ", log_mel.bins, " bins holding ", log_mel.values.size(), " values");
  // F: the filterbank, F[m, k] the weight of bin k in filter m, non-zero on filter_bins[m].
  // apply: power (n_freqs) -> mel power (n_mels); spread: (n_mels) -> F^T r (n_freqs).
  const auto apply = [&](const std::vector<float>& power, std::vector<float>& mel) {
    for (int64_t m = 0; m < n_mels; ++m) {
      const auto [begin, end] = plans_->filter_bins[static_cast<size_t>(m)];
      const float* row = filterbank_.data() + m * n_freqs;
      float sum = 0;
      for (int64_t k = begin; k < end; ++k) sum += row[k] * power[static_cast<size_t>(k)];
      mel[static_cast<size_t>(m)] = sum;
    }
  };
  const auto spread = [&](const std::vector<float>& r, std::vector<float>& out) {
    std::fill(out.begin(), out.end(), 0.0f);
    for (int64_t m = 0; m < n_mels; ++m) {
      const auto [begin, end] = plans_->filter_bins[static_cast<size_t>(m)];
      const float* row = filterbank_.data() + m * n_freqs;
      for (int64_t k = begin; k < end; ++k) out[static_cast<size_t>(k)] += row[k] * r[static_cast<size_t>(m)];
    }
  };
  const auto mels = static_cast<size_t>(n_mels), freqs = static_cast<size_t>(n_freqs);
  std::vector<float> coverage(freqs);
  spread(std::vector<float>(mels, 1.0f), coverage);

  Spectrogram out{std::vector<float>(static_cast<size_t>(log_mel.frames) * freqs), log_mel.frames, n_freqs};
  std::vector<float> target(mels), level(mels), residual(mels);
  std::vector<float> x(freqs), previous(freqs), y(freqs), gradient(freqs);
  for (int64_t t = 0; t < log_mel.frames; ++t) {
    for (size_t m = 0; m < mels; ++m) {
      target[m] = std::exp(log_mel.values[static_cast<size_t>(t) * mels + m]);
      level[m] = target[m] / plans_->filter_sums[m];
    }
    // Start from each bin's weighted mean of the flat power levels its filters imply: near
    // the answer where filters are wide, so the steps mostly refine the narrow ones.
    spread(level, x);
    for (size_t k = 0; k < freqs; ++k) x[k] = coverage[k] > 0 ? x[k] / coverage[k] : 0.0f;
    previous = x;
    y = x;
    // FISTA: a gradient step on |F y - target|^2 / 2 from the extrapolated point y, clamped
    // at zero, then the extrapolation of Beck and Teboulle's momentum sequence.
    double momentum = 1;
    for (int iteration = 0; iteration < kNnlsIterations; ++iteration) {
      apply(y, residual);
      for (size_t m = 0; m < mels; ++m) residual[m] -= target[m];
      spread(residual, gradient);
      const double next = (1 + std::sqrt(1 + 4 * momentum * momentum)) / 2;
      const auto beta = static_cast<float>((momentum - 1) / next);
      for (size_t k = 0; k < freqs; ++k) {
        x[k] = std::max(0.0f, y[k] - plans_->inverse_step * gradient[k]);
        y[k] = x[k] + beta * (x[k] - previous[k]);
        previous[k] = x[k];
      }
      momentum = next;
    }
    for (size_t k = 0; k < freqs; ++k) out.values[static_cast<size_t>(t) * freqs + k] = std::sqrt(x[k]);
  }
  return out;
}

}  // namespace tessera::codecs
