#pragma once
// A model's config.json: the architecture, the context length, the shared vocabulary's
// layout and the codec files the model directory holds.
//
//   {
//     "format": "tessera-model", "version": 1,
//     "architecture": {"dim": 256, "n_layers": 6, "n_heads": 8, "hidden": 688,
//                      "qk_norm": true, "tied_embeddings": true, "rope_theta": 10000,
//                      "norm_eps": 1e-5, "init_std": 0.02, "context_length": 256},
//     "vocabulary": {"text": 4096, "control": ["<bos>", ...], "image": 0, "audio": 0},
//     "codecs": {"text": "text.model"}
//   }
//
// The transformer's vocab_size is not stored: it is vocabulary.total(), always.
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "codecs/vocabulary.h"
#include "model/transformer.h"

namespace tessera::model {

inline constexpr int kModelFormatVersion = 1;

struct ModelConfig {
  TransformerConfig transformer;  // vocab_size kept equal to vocabulary.total()
  int64_t context_length = 256;   // the longest sequence the model trains and generates on
  codecs::Vocabulary vocabulary;
  std::map<std::string, std::string> codecs;  // modality name -> file in the model directory

  nlohmann::json to_json() const;
  // Every field is checked; an error names `source`, the field's JSON path, what was
  // expected and what was found.
  static ModelConfig from_json(const nlohmann::json& j, const std::string& source);
  // Sets transformer.vocab_size from the vocabulary and checks the dimensions agree.
  void finalize(const std::string& source);
};

}  // namespace tessera::model
