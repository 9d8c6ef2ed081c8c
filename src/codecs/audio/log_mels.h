#pragma once
// The log-mels of a whole set of clips, computed once before training or evaluation rather
// than every time a crop is drawn: a clip's FFTs cost more than its training step's share.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "codecs/audio/mel_spectrogram.h"

namespace tessera::codecs {

// Clip i's mono samples at the front end's sample rate (a caller reads them from a speech
// set); called from several threads at once.
using ClipReader = std::function<std::vector<float>(int64_t index)>;

// The log-mel (frames, n_mels) of clips 0..count-1, on the engine's threads, with a progress
// bar labelled `label` on `out`. The first error a clip raises is thrown once all threads stop.
std::vector<Spectrogram> compute_log_mels(const MelSpectrogram& stft, int64_t count, const ClipReader& clip,
                                          const std::string& label, std::FILE* out);

}  // namespace tessera::codecs
