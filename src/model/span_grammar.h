#pragma once
// The token grammar of media spans, which generation follows so that a sampled row always
// decodes: an image span is `<image>`, exactly L image codes, `</image>`; an audio span is
// `<audio>`, whole frames of one code per stage in stage order, `</audio>`. Outside a span
// the row is text and control tokens.
//
// The grammar follows one row token by token and says what the next position may hold, as
// a few ascending global id ranges for the sampler (sampler.h):
//   outside a span: text ids and every control token but the closers; `<image>` only when
//     the context still holds L codes and `</image>` after it, `<audio>` only when it holds
//     one whole frame and `</audio>`;
//   inside an image span: image codes until L of them, then `</image>` alone;
//   inside an audio span: the codes of the next code's stage (codes so far % stages), and
//     `</audio>` too on a frame boundary after at least one frame; `</audio>` alone once the
//     context (or the most frames a span may hold) leaves room for no whole frame more.
// Since a span opens only when it can close, the allowed set is never empty while the row
// has room left.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codecs/vocabulary.h"
#include "model/sampler.h"

namespace tessera::model {

// What the model's codecs make of a span, and the room a row has.
struct SpanShape {
  int64_t image_codes = 0;       // L, codes per image; 0: the model has no image codec
  int64_t audio_stages = 0;      // codes per audio frame; 0: the model has no audio codec
  int64_t audio_codebook = 0;    // codes of one stage (the stage's local ids: s * codebook + c)
  int64_t max_audio_frames = 0;  // frames one audio span may hold; 0: as many as fit
  int64_t context_length = 0;    // positions of a row, prompt included
};

class SpanGrammar {
 public:
  // Checks the shape against the vocabulary: image codes need image ids, and the audio
  // stages times the codebook must be the vocabulary's audio ids.
  SpanGrammar(const codecs::Vocabulary& vocabulary, const SpanShape& shape);

  // Follows the row by one id; throws naming the id (vocabulary.describe), its position and
  // what the grammar allowed there.
  void push(int32_t id);
  // Follows every id of a prompt, which may end inside an open span (`... <draw> text <image>`).
  void push(std::span<const int32_t> ids);

  // The ids the next position may hold: ascending, non-overlapping, never empty. Throws
  // when the row already fills the context (nothing may follow).
  std::vector<IdRange> allowed() const;
  bool allows(int32_t id) const;

  // The modality of the span the next id belongs to (image or audio), none outside a span.
  std::optional<codecs::Modality> open_span() const { return open_; }
  int64_t length() const { return length_; }  // ids followed so far
  const SpanShape& shape() const { return shape_; }

 private:
  int64_t room() const { return shape_.context_length - length_; }  // positions left, the next one included
  bool audio_frame_fits() const;                                    // on a frame boundary
  std::string state_str() const;                                    // where the row is, for errors

  codecs::Vocabulary vocabulary_;
  SpanShape shape_;
  int32_t image_open_, image_close_, audio_open_, audio_close_;  // -1: not in the vocabulary
  std::optional<codecs::Modality> open_;
  int64_t codes_in_span_ = 0;
  int64_t length_ = 0;
};

}  // namespace tessera::model
