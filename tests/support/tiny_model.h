#pragma once
// A small but complete model folder for tests: a text codec trained on a few hundred lines of
// sample_text.h, optionally an image and an audio codec (random weights), a 2-layer
// transformer over their vocabulary, config.json.
#include <cstdint>
#include <string>

#include "model/model_config.h"

namespace tessera::testing {

struct TinyModelOptions {
  int64_t text_vocab = 300;  // a little over <unk> + the 256 byte pieces
  int64_t context_length = 64;
  bool tied_embeddings = true;
  bool image_codec = false;  // tiny_codec_config(1, false): 125 codes of a 16 x 16 grey image
  bool audio_codec = false;  // tiny_audio_codec_config(2): 2 stages of 125 codes
  uint64_t seed = 5;
};

// Writes the model folder `dir` (created) and returns its config. The codecs are made
// outside `dir` (the text codec's corpus and file sit next to it), so that everything in
// `dir` is what save_model put there.
model::ModelConfig write_tiny_model(const std::string& dir, const TinyModelOptions& options = {});

}  // namespace tessera::testing
