#pragma once
// A speech set: the clips scripts/data/speech.py writes with espeak-ng, one split at a time.
//
//   <dir>/<split>.jsonl    one line per clip: {"audio": "wav/<name>.wav", "text": "...",
//                          "voice": "en-us+m3", "speed": 160, "pitch": 50}
//   <dir>/wav/*.wav        mono 16-bit PCM at the set's sample_rate (espeak-ng's 22050 Hz:
//                          the reader resamples as it loads, 3-6 ms per second of audio)
//   <dir>/speech.json      {"format": "tessera-speech-set", "version": 1, "sample_rate": 22050,
//                          "splits": {"train": N, "valid": N, "test": N},
//                          "held_out_voices": [...], "seed": S}
//
// The valid and test splits are spoken only by held-out voices, and train never by them
// (the loader checks both).
#include <cstdint>
#include <string>
#include <vector>

#include "io/audio.h"

namespace tessera::data {

inline constexpr const char* kSpeechSetFormat = "tessera-speech-set";

struct SpeechClip {
  std::string audio_path;  // resolved against the set's folder
  std::string text, voice;
  int64_t speed = 0, pitch = 0;
};

class SpeechSet {
 public:
  // Reads <dir>/speech.json and <dir>/<split>.jsonl; every field checked, errors name the
  // file, the line and the field. The WAVs are not opened here.
  static SpeechSet load(const std::string& dir, const std::string& split);

  int64_t size() const { return static_cast<int64_t>(clips_.size()); }
  int64_t sample_rate() const { return sample_rate_; }
  // The voices of speech.json's held_out_voices: every valid and test clip's, no train clip's.
  const std::vector<std::string>& held_out_voices() const { return held_out_voices_; }
  const SpeechClip& clip(int64_t index) const;
  // Reads clip `index` (mono, resampled to `sample_rate` if it differs).
  Audio audio(int64_t index, int64_t sample_rate) const;

 private:
  std::vector<SpeechClip> clips_;
  std::vector<std::string> held_out_voices_;
  int64_t sample_rate_ = 0;
};

}  // namespace tessera::data
