#include "support/synthetic_mels.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/rng.h"

namespace tessera::testing {

std::vector<codecs::Spectrogram> moving_sines(int64_t count, int64_t min_frames, int64_t max_frames, int64_t n_mels,
                                              uint64_t seed) {
  const float floor = std::log(1e-5f), pi = std::acos(-1.0f);
  Rng rng(seed);
  std::vector<codecs::Spectrogram> clips;
  for (int64_t i = 0; i < count; ++i) {
    codecs::Spectrogram s;
    s.bins = n_mels;
    s.frames = min_frames + rng.below(max_frames - min_frames + 1);
    s.values.assign(static_cast<size_t>(s.frames * n_mels), floor);
    const int64_t tones = 2 + rng.below(2);
    for (int64_t k = 0; k < tones; ++k) {
      const float centre = (0.15f + 0.7f * rng.uniform()) * static_cast<float>(n_mels);
      const float depth = (0.05f + 0.15f * rng.uniform()) * static_cast<float>(n_mels);
      const float period = 20.0f + 60.0f * rng.uniform(), phase = 2 * pi * rng.uniform();
      const float level = -2.0f + 6.0f * rng.uniform(), width = 0.7f + 1.3f * rng.uniform();
      for (int64_t t = 0; t < s.frames; ++t) {
        const float c = centre + depth * std::sin(2 * pi * static_cast<float>(t) / period + phase);
        for (int64_t f = 0; f < n_mels; ++f) {
          const float d = (static_cast<float>(f) - c) / width;
          float& v = s.values[static_cast<size_t>(t * n_mels + f)];
          v = std::max(v, floor + (level - floor) * std::exp(-0.5f * d * d));
        }
      }
    }
    clips.push_back(std::move(s));
  }
  return clips;
}

codecs::AudioCodecConfig tiny_audio_codec_config(int64_t stages) {
  const nlohmann::json j = {
      {"mel",
       {{"sample_rate", 16000},
        {"n_fft", 256},
        {"win_length", 256},
        {"hop_length", 160},
        {"n_mels", 16},
        {"f_min", 0},
        {"f_max", 8000}}},
      {"encoder", {{"widths", {16, 16, 32}}, {"downsamples", 2}, {"res_blocks", 1}, {"norm_groups", 4}}},
      {"quantizer", {{"type", "fsq"}, {"levels", {5, 5, 5}}, {"stages", stages}}}};
  return codecs::AudioCodecConfig::from_json(j, "tiny audio codec config");
}

}  // namespace tessera::testing
