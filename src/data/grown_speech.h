#pragma once
// Speech grown for texts a speech set's split does not speak, with espeak-ng, the engine that
// spoke the set (scripts/data/speech.py).
//
// Why: speech.py splits by text, so each of Fashion-MNIST's ten class names is spoken in one
// split only (nine in train, "trouser" in test, none in valid), and an emoji's caption in the
// speech set's split of its name, which need not be the image set's split of its picture. A
// speech-and-image example of split S pairs an image of S with a clip of S, so the texts S
// lacks are spoken here.
//
// Voices: each grown clip takes the voice, speed and pitch of a clip of the same split drawn
// at random (seeded by the text), so train texts get training voices and valid or test texts
// only the speech set's held_out_voices (checked), in the set's own mix of speeds and pitches.
//
// Cache: clips are written to `cache_dir` as <hash of text, voice, speed, pitch>.wav, each
// WAV whole or not at all (a temporary name, then a rename), and a clip whose file exists is
// not spoken again, so a rebuild costs nothing.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "data/speech_set.h"

namespace tessera::data {

struct GrownSpeech {
  std::vector<SpeechClip> clips;  // one per text, in the order given
  int64_t spoken = 0;             // clips synthesized now (the others were cached)
};

// Clips of `texts` for split `split` of `set` (set holds that split). espeak-ng runs `jobs`
// at a time with a progress bar on `out`; a missing espeak-ng or a failed run is an error
// naming the text and the voice.
GrownSpeech grow_speech(const SpeechSet& set, const std::string& split, const std::vector<std::string>& texts,
                        const std::string& cache_dir, uint64_t seed, int64_t jobs, std::FILE* out);

}  // namespace tessera::data
