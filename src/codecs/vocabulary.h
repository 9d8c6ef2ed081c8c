#pragma once
// The one vocabulary every modality shares, laid out as contiguous ranges:
//
//   [ text | control | image codes | audio codes ]
//     0      text_size  ...
//
// Each codec speaks its own local ids 0..size-1; the layout turns them into global ids
// (the transformer's) and back, so "is this an image code?" is a range check. The layout is
// stored in the model's config.json, so a model keeps the layout it was trained with even
// when later work adds control tokens or codecs.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/fields.h"

namespace tessera::codecs {

enum class Modality { text, control, image, audio };
const char* modality_name(Modality m);

// The control tokens, declared once. Order is their order in the vocabulary.
//   <bos> <eos> <pad>                 sequence framing
//   <image> </image> <audio> </audio> open and close a span of one codec's codes
//   <caption> <draw> <transcribe> <speak>   task prompts (image->text, text->image,
//                                     speech->text, text->speech)
const std::vector<std::string>& default_control_tokens();

struct Vocabulary {
  int64_t text_size = 0;
  std::vector<std::string> control_tokens = default_control_tokens();
  int64_t image_size = 0;
  int64_t audio_size = 0;

  int64_t size(Modality m) const;
  int64_t offset(Modality m) const;  // the first global id of the range
  int64_t total() const;             // the transformer's vocab_size

  // Local id of a codec -> global id; throws when local is outside the codec's range.
  int32_t to_global(Modality m, int64_t local) const;
  // Global id -> (modality, local id); throws when global is outside the vocabulary.
  std::pair<Modality, int64_t> to_local(int32_t global) const;
  Modality modality_of(int32_t global) const { return to_local(global).first; }
  // The global id of a control token by its name ("<eos>"); throws naming the token.
  int32_t control(std::string_view name) const;
  // The text of any global id: a control token's name, "<image:17>", "<audio:3>"; text
  // ids are the text codec's business and print as "<text:42>".
  std::string describe(int32_t global) const;

  // {"text": N, "control": [...], "image": N, "audio": N}, every field required; the control
  // names distinct, the total within 32-bit ids.
  void fields(Fields& f);
};

}  // namespace tessera::codecs
