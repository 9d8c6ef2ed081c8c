#pragma once
// The codecs one model uses, one per modality, and the kinds of codec file there are.
//
//   CodecRegistry codecs = ...;                              // e.g. model::load_model(dir).codecs
//   const TextCodec& text = codecs.get<TextCodec>(Modality::text);
//
// A modality the model has no codec for, or a codec of another class than asked for, is an
// error that names the registry's owner (the model folder) and the codecs it does have.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "codecs/codec.h"
#include "core/error.h"
#include "io/fields.h"

namespace tessera::codecs {

// The modalities that have codecs (control tokens have none), in vocabulary order.
const std::vector<Modality>& codec_modalities();
// The kinds of codec file for `m` ("sentencepiece" for text, ...).
std::vector<std::string> codec_kinds(Modality m);
// Reads a codec file of `kind` (one of codec_kinds); errors name the file.
std::unique_ptr<Codec> load_codec(const std::string& kind, const std::string& path);
// Reads a codec file whose kind the file itself says, for a user who names only the file: a
// safetensors file by its metadata "format" (the image and audio codecs), anything else as a
// SentencePiece model. The caller checks the modality it needed against the codec's.
std::unique_ptr<Codec> load_codec_file(const std::string& path);

// The codec files a recipe names, one per modality; text is required:
//   "codecs": {"text": "text.model", "image": "image.safetensors", "audio": "audio.safetensors"}
struct CodecFiles {
  std::string text, image, audio;  // "" for none

  void fields(Fields& f);
};

class CodecRegistry {
 public:
  // `owner` names whose codecs these are in errors ("runs/text-tiny").
  explicit CodecRegistry(std::string owner = "the model") : owner_(std::move(owner)) {}

  // Adds `codec` under its modality, which must not have one yet.
  void add(std::unique_ptr<const Codec> codec);
  bool has(Modality m) const { return codecs_.count(m) > 0; }
  const Codec& at(Modality m) const;
  template <class C>
  const C& get(Modality m) const {
    const Codec& codec = at(m);
    const C* typed = dynamic_cast<const C*>(&codec);
    TESSERA_CHECK(typed != nullptr, owner_, ": the ", modality_name(m), " codec is a \"", codec.kind(),
                  "\" codec, not the kind this use needs");
    return *typed;
  }
  // Every codec, in vocabulary order (text, image, audio).
  std::vector<const Codec*> all() const;

 private:
  std::string owner_;
  std::map<Modality, std::unique_ptr<const Codec>> codecs_;
};

}  // namespace tessera::codecs
