#pragma once
// Incremental detokenization, for printing text as a model generates it.
//
// Pieces do not map to whole characters (a byte-fallback piece is one byte of a UTF-8
// sequence) and SentencePiece decodes a piece differently after different neighbours, so
// each step decodes the whole continuation, after the prompt's text, and hands out only
// what was not handed out yet. Text that may still change is held back: an incomplete
// UTF-8 sequence at the end, or replacement characters (U+FFFD) there, which the next
// byte pieces may turn into a real character.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "codecs/text_codec.h"

namespace tessera::codecs {

class TextStream {
 public:
  // context: the prompt's text ids (local), so the first piece decodes as it would after them.
  TextStream(const TextCodec& codec, std::vector<int32_t> context);

  // Adds a generated text id (local); returns the newly final text (often empty).
  std::string push(int32_t id);
  // Everything not handed out yet, held-back bytes included (at the end of generation).
  std::string flush();
  // The whole continuation decoded so far, held back or not.
  const std::string& text() const { return text_; }

 private:
  const TextCodec& codec_;
  std::vector<int32_t> ids_;  // context, then generated
  size_t context_bytes_;      // the decoded context's length
  std::string text_;          // the continuation, decoded
  size_t handed_out_ = 0;
};

// Passes streamed text through until one of the stop strings appears, holding back any
// tail that could be the start of one, so a stop string is never printed, even in part.
class StopStrings {
 public:
  explicit StopStrings(std::vector<std::string> stops);  // empty strings are ignored

  // Adds text; returns what may be printed now. stopped() turns true at a stop string,
  // and the text from it on is dropped.
  std::string push(const std::string& text);
  // What was held back, at the end of generation (nothing once stopped).
  std::string flush() { return stopped_ ? "" : take(pending_.size()); }
  bool stopped() const { return stopped_; }

 private:
  std::string take(size_t n);
  std::vector<std::string> stops_;
  std::string pending_;
  bool stopped_ = false;
};

// The length of the longest prefix of `text` that cannot change when more bytes follow:
// without a trailing incomplete UTF-8 sequence or trailing U+FFFD characters.
size_t stable_prefix_length(const std::string& text);

}  // namespace tessera::codecs
