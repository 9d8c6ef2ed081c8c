#pragma once
// The model folder, the one file format users see (docs/format.md specifies it):
//
//   MODEL/config.json         ModelConfig (architecture, context, vocabulary layout, codecs)
//   MODEL/model.safetensors   the transformer's parameters under their stable names
//   MODEL/<codec file>        one per codec config.json names: text.model (SentencePiece),
//                             image.safetensors, audio.safetensors
//
// A folder holds everything it needs, so a copy of it loads anywhere. Saving writes each
// file atomically, config.json last, so a folder whose config.json exists is complete.
// Loading checks everything: a missing folder or file, a corrupt config or tensor file,
// parameters that do not match the config, a codec file of another kind or vocabulary size
// than config.json says: each a clear error naming the file.
#include <memory>
#include <string>
#include <vector>

#include "codecs/codec_registry.h"
#include "model/model_config.h"
#include "model/transformer.h"

namespace tessera::model {

struct LoadedModel {
  ModelConfig config;
  std::unique_ptr<Transformer> transformer;
  codecs::CodecRegistry codecs;  // one per entry of config.codecs
  std::string dir;
};

// Writes the folder `dir` (created when missing): each of `codecs` into the file config.codecs
// names for its modality, the weights, then config.json. The codecs must be exactly the ones
// config.codecs names, each of the kind and vocabulary size it says.
void save_model(const std::string& dir, const ModelConfig& config, const Transformer& transformer,
                const std::vector<const codecs::Codec*>& codecs);
LoadedModel load_model(const std::string& dir);
// Reads and checks only config.json (for the trainer, and `tessera info` on big models).
ModelConfig load_model_config(const std::string& dir);
// Loads the codecs config.json names, each checked against its entry.
codecs::CodecRegistry load_model_codecs(const std::string& dir, const ModelConfig& config);

}  // namespace tessera::model
