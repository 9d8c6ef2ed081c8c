#pragma once
// A small but complete model directory for tests: a text codec trained on a few hundred
// lines of sample_text.h, a 2-layer transformer over its vocabulary, config.json.
#include <cstdint>
#include <string>

#include "model/model_config.h"

namespace tessera::testing {

struct TinyModelOptions {
  int64_t text_vocab = 300;  // a little over <unk> + the 256 byte pieces
  int64_t context_length = 64;
  bool tied_embeddings = true;
  uint64_t seed = 5;
};

// The config written by write_tiny_model (the text size is set after the codec trains).
model::ModelConfig tiny_model_config(const TinyModelOptions& options);

// Writes the model directory `dir` (created) and returns its config. The codec is trained
// in `dir`/../ corpus files next to it, so `dir` holds only the model's own files.
model::ModelConfig write_tiny_model(const std::string& dir, const TinyModelOptions& options = {});

}  // namespace tessera::testing
