#pragma once
// The media of a corpus build through their codecs: images of any set into ONE image codec
// (converted to the codec's size and channels), speech clips into the audio codec. Each
// returns local ids, one list per item, in the order asked.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "core/progress.h"
#include "data/image_set.h"
#include "data/speech_set.h"

namespace tessera::data {

// "28 x 28 x 1 -> 64 x 64 x 3 (resized, grey to RGB)", or "64 x 64 x 3 (as is)": what
// fit_image (io/image.h) does to a set's images, for the build's report.
std::string fit_description(const ImageSet& set, const codecs::ImageCodecConfig& config);

// The codes of images `indices` of `set`: (indices.size()) lists of codes_per_image local
// ids. Encoded in batches of 64, (64, C, H, W) f32 each, without gradients; `done` counts
// images on `bar`, which several calls share.
std::vector<std::vector<int32_t>> encode_images(const codecs::ImageCodec& codec, const ImageSet& set,
                                                const std::vector<int64_t>& indices, ProgressBar& bar, int64_t& done);

// The codes of each clip (time-major local ids, stages per code frame): read and resampled to
// the codec's mel rate and turned into log-mel on every thread, 64 clips at a time, then
// encoded one by one (clips differ in length, and BLAS must not run inside a parallel region).
// A clip that would take more than `max_ids` ids is not encoded and gets an empty list: its
// length is known from its log-mel, and encoding is most of the cost of a clip no example
// can hold.
std::vector<std::vector<int32_t>> encode_clips(const codecs::AudioCodec& codec, const std::vector<SpeechClip>& clips,
                                               int64_t max_ids, ProgressBar& bar, int64_t& done);

}  // namespace tessera::data
