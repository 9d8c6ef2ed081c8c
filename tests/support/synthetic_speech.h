#pragma once
// Synthetic "speech" for audio codec tests that need waveforms: voiced tones whose pitch
// glides, with harmonics and a syllable-like loudness envelope, and a speech set folder of
// them in the layout of data/speech_set.h (what scripts/data/speech.py writes), so the CLI
// can be driven without espeak-ng.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tessera::testing {

// `samples` samples at `rate` Hz in [-1, 1], from `seed`.
std::vector<float> gliding_tone(int64_t samples, int64_t rate, uint64_t seed);

// Writes a speech set into `dir`: per split, `count` clips of 0.3 to 0.7 s at 22050 Hz (the
// rate espeak-ng writes) as wav/<split>-<i>.wav, <split>.jsonl and speech.json. Train clips
// are "spoken" by en-us+m3, the others by the held-out voice en-gb+f3.
void write_speech_set(const std::string& dir, const std::map<std::string, int64_t>& counts, uint64_t seed);

}  // namespace tessera::testing
