#pragma once
// The text codec: SentencePiece BPE with byte fallback, so any UTF-8 string encodes
// (bytes no piece covers become byte tokens) and decoding gives the string back.
//
// Local ids are SentencePiece's ids, 0..vocab_size-1 (id 0 is <unk>, then the 256 byte
// pieces, then the learned merges). The engine's control tokens (<bos>, <image>, ...) are
// not SentencePiece symbols: they live in the shared Vocabulary after the text range, so
// no user text can ever produce one.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/codec.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace tessera::codecs {

struct TextCodecTrainOptions {
  int64_t vocab_size = 4096;           // including <unk> and the 256 byte pieces
  double character_coverage = 0.9995;  // rarer characters fall back to bytes
  int64_t max_sentences = 2000000;     // lines sampled from the corpus for training
  uint64_t seed = 1;
};

class TextCodec : public Codec {
 public:
  static constexpr const char* kKind = "sentencepiece";

  // Trains on a text file (one sentence or document per line) and writes the model file
  // to `model_path` atomically. Errors name the corpus or the option at fault.
  static TextCodec train(const std::string& corpus_path, const TextCodecTrainOptions& options,
                         const std::string& model_path);
  // Loads a model file written by train(); a file that is not one is a clear error.
  static TextCodec load(const std::string& model_path);
  // The same from the file's bytes; `source` names it in errors.
  static TextCodec from_bytes(const std::string& bytes, const std::string& source);

  TextCodec(TextCodec&&) noexcept;
  TextCodec& operator=(TextCodec&&) noexcept;
  ~TextCodec() override;

  std::vector<int32_t> encode(std::string_view text) const;  // local ids
  std::string decode(std::span<const int32_t> ids) const;    // throws on an id out of range
  std::string piece(int32_t id) const;                       // the piece's text, for display

  Modality modality() const override { return Modality::text; }
  std::string kind() const override { return kKind; }
  int64_t vocab_size() const override;
  std::string description() const override;  // "SentencePiece BPE, 4096 pieces, byte fallback"
  void save(const std::string& path) const override;
  const std::string& serialized() const { return bytes_; }  // the model file's bytes

 private:
  TextCodec(std::unique_ptr<sentencepiece::SentencePieceProcessor> processor, std::string bytes);
  std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
  std::string bytes_;
};

}  // namespace tessera::codecs
