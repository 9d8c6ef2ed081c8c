#pragma once
// What the span grammar's and the generation tests share: a made-up vocabulary (text 20, the
// default control tokens, image 12, audio 2 stages x 5), the shape of its spans, a tiny
// random transformer over it, and a check of a row's spans written apart from the grammar,
// so a grammar bug cannot hide behind itself.
#include <cstdint>
#include <span>
#include <string>

#include "codecs/vocabulary.h"
#include "core/error.h"
#include "model/span_grammar.h"
#include "model/transformer.h"

namespace tessera::testing {

constexpr int64_t kImageCodes = 5;  // L, codes per image
constexpr int64_t kAudioStages = 2;
constexpr int64_t kAudioCodebook = 5;

// Global ids: text [0, 20), <bos> 20 .. <speak> 30, image [31, 43), audio [43, 53).
inline const codecs::Vocabulary& span_vocabulary() {
  static const codecs::Vocabulary vocabulary{
      .text_size = 20, .image_size = 12, .audio_size = kAudioStages * kAudioCodebook};
  return vocabulary;
}

inline model::SpanShape span_shape(int64_t context_length, int64_t max_audio_frames = 0) {
  return {.image_codes = kImageCodes,
          .audio_stages = kAudioStages,
          .audio_codebook = kAudioCodebook,
          .max_audio_frames = max_audio_frames,
          .context_length = context_length};
}

// Peaked logits (a large init), so greedy choices are not near-ties.
inline model::TransformerConfig span_model_config() {
  model::TransformerConfig c;
  c.vocab_size = span_vocabulary().total();
  c.dim = 32;
  c.n_layers = 2;
  c.n_heads = 4;
  c.hidden = 48;
  c.init_std = 0.5f;
  return c;
}

// "" when every span of the row is well formed: image spans of exactly kImageCodes codes,
// audio codes in stage order closed on a frame boundary after a frame, no code or closer
// outside a span. Else the first thing wrong and its position. `complete`: the row must
// also end outside a span.
inline std::string span_errors(std::span<const int32_t> row, bool complete) {
  using codecs::Modality;
  const codecs::Vocabulary& v = span_vocabulary();
  std::string open;  // "", "image" or "audio"
  int64_t codes = 0;
  for (size_t i = 0; i < row.size(); ++i) {
    const auto [m, local] = v.to_local(row[i]);
    const std::string name = v.describe(row[i]);
    const std::string where = str(name, " at ", i, ": ");
    if (open.empty()) {
      if (m == Modality::image || m == Modality::audio) return where + "a code outside a span";
      if (name == "</image>" || name == "</audio>") return where + "a closer outside a span";
      if (name == "<image>" || name == "<audio>") {
        open = name.substr(1, 5);
        codes = 0;
      }
    } else if (open == "image") {
      if (m == Modality::image && codes < kImageCodes) {
        ++codes;
      } else if (!(name == "</image>" && codes == kImageCodes)) {
        return str(where, "inside an image span after ", codes, " codes");
      }
      if (name == "</image>") open.clear();
    } else {
      if (m == Modality::audio && local / kAudioCodebook == codes % kAudioStages) {
        ++codes;
      } else if (!(name == "</audio>" && codes > 0 && codes % kAudioStages == 0)) {
        return str(where, "inside an audio span after ", codes, " codes");
      }
      if (name == "</audio>") open.clear();
    }
  }
  return complete && !open.empty() ? str("the row ends inside an ", open, " span") : "";
}

}  // namespace tessera::testing
