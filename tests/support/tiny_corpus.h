#pragma once
// Tiny sources and codecs for `tessera data build` tests: a text codec, an image codec and an
// audio codec with random weights, two image sets of other shapes than the image codec's
// (28 x 28 grey "fashion" captioned by class names, 16 x 16 RGB "emoji" captioned "face <i>:
// happy, smile"), a speech set of synthetic tones that speaks some of those captions (so the
// build must grow the others with espeak-ng: a handful of clips), and a text set.
#include <nlohmann/json.hpp>
#include <string>

namespace tessera::testing {

struct TinyCorpus {
  std::string text_codec, image_codec, audio_codec;
  std::string fashion, emoji, speech, text;

  // A recipe naming every codec and source, with `mixture` and `valid`, context 256, seed 3.
  nlohmann::json recipe(const nlohmann::json& mixture, const nlohmann::json& valid) const;
};

// Writes everything under `dir` (created).
TinyCorpus write_tiny_corpus(const std::string& dir);

}  // namespace tessera::testing
