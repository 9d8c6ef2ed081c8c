#pragma once
// The model directory, the one file format users see:
//
//   MODEL/config.json         ModelConfig (architecture, context, vocabulary layout, codecs)
//   MODEL/model.safetensors   the transformer's parameters under their stable names
//   MODEL/text.model          the text codec (SentencePiece), when config.codecs has "text"
//
// Saving writes each file atomically, config.json last, so a directory whose config.json
// exists is complete. Loading checks everything: a missing directory or file, a corrupt
// config or tensor file, parameters that do not match the config, a codec whose
// vocabulary size differs from the config's layout: each a clear error naming the file.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "codecs/text_codec.h"
#include "model/model_config.h"
#include "model/transformer.h"

namespace tessera::model {

struct LoadedModel {
  ModelConfig config;
  std::unique_ptr<Transformer> transformer;
  std::optional<codecs::TextCodec> text;  // present when config.codecs has "text"
  std::string dir;
};

// `codec_files` maps a file name from config.codecs to its bytes (e.g. "text.model" ->
// TextCodec::serialized()). Creates `dir` when missing.
void save_model(const std::string& dir, const ModelConfig& config, const Transformer& transformer,
                const std::map<std::string, std::string>& codec_files);
LoadedModel load_model(const std::string& dir);
// Reads and checks only config.json (for `tessera info` on big models, and the trainer).
ModelConfig load_model_config(const std::string& dir);

}  // namespace tessera::model
