#pragma once
// A model folder's config.json: the architecture, the context length, the shared
// vocabulary's layout and the codecs the model uses (docs/format.md specifies every field):
//
//   {
//     "format": "tessera-model", "version": 2,
//     "architecture": {"dim": 256, "n_layers": 6, "n_heads": 8, "hidden": 688,
//                      "qk_norm": true, "tied_embeddings": true, "rope_theta": 10000,
//                      "norm_eps": 1e-5, "init_std": 0.02, "context_length": 256},
//     "vocabulary": {"text": 4096, "control": ["<bos>", ...], "image": 1000, "audio": 0},
//     "codecs": {"text": {"file": "text.model", "kind": "sentencepiece", "ids": [0, 4096]},
//                "image": {"file": "image.safetensors", "kind": "tessera-image-codec",
//                          "ids": [4107, 5107]}}
//   }
//
// A codec's "ids" are its global range [first, end) and must be the vocabulary's range for
// its modality; every modality with ids has a codec. Version 1 folders ("codecs":
// {"text": "text.model"}) still read: each file becomes an entry of its modality's kind over
// the vocabulary's range. The transformer's vocab_size is not stored: it is
// vocabulary.total(), always.
#include <map>
#include <string>

#include "codecs/codec.h"
#include "codecs/vocabulary.h"
#include "io/fields.h"
#include "model/transformer.h"

namespace tessera::model {

inline constexpr const char* kModelFormat = "tessera-model";
inline constexpr int64_t kModelFormatVersion = 2;

// One codec of a model folder.
struct CodecEntry {
  std::string file;            // a plain file name inside the model folder
  std::string kind;            // one of codecs::codec_kinds(its modality)
  int64_t first = 0, end = 0;  // its global ids [first, end)

  void fields(Fields& f, codecs::Modality m);
};

// The name a codec's file has in a model folder: text.model, image.safetensors, audio.safetensors.
std::string codec_file_name(codecs::Modality m);

struct ModelConfig {
  TransformerConfig transformer;  // vocab_size kept equal to vocabulary.total()
  int64_t context_length = 256;   // the longest sequence the model trains and generates on
  codecs::Vocabulary vocabulary;
  std::map<codecs::Modality, CodecEntry> codecs;

  // Every field checked as reading config.json does: an error names the file, the field's
  // dotted path, what was expected and what was found; unknown fields are errors.
  void fields(Fields& f);
  // Names `codec` as the model's codec of its modality, stored as codec_file_name(), over
  // the vocabulary's range for it (set the vocabulary first; its size there must be the
  // codec's).
  void add_codec(const codecs::Codec& codec);
  // Sets transformer.vocab_size from the vocabulary and checks the config as a file would
  // be checked; `source` names it in errors.
  void finalize(const std::string& source);
};

}  // namespace tessera::model
