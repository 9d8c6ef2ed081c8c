#pragma once
// What every codec is to a model folder, whatever its modality: its place in the shared
// vocabulary (modality and vocabulary size), the kind of file it is stored as, and one line
// that says what it codes, for `tessera info`. Encoding and decoding stay on the concrete
// codecs (TextCodec, ImageCodec, AudioCodec), because their inputs differ (a string, image
// tensors, a waveform); a model's user takes the one it needs from its CodecRegistry.
#include <cstdint>
#include <string>

#include "codecs/vocabulary.h"

namespace tessera::codecs {

class Codec {
 public:
  virtual ~Codec() = default;

  virtual Modality modality() const = 0;
  // The file format, as config.json names it: "sentencepiece", "tessera-image-codec",
  // "tessera-audio-codec" (codec_registry.h loads each).
  virtual std::string kind() const = 0;
  // Local ids 0..vocab_size()-1, the size of the modality's range in the Vocabulary.
  virtual int64_t vocab_size() const = 0;
  // One line: "28 x 28 x 1 -> 49 codes of 1000 (a 7 x 7 grid, FSQ)".
  virtual std::string description() const = 0;
  // Writes the codec's file to `path` atomically; load_codec(kind(), path) reads it back.
  virtual void save(const std::string& path) const = 0;

 protected:
  Codec() = default;
  Codec(const Codec&) = default;
  Codec& operator=(const Codec&) = default;
};

}  // namespace tessera::codecs
