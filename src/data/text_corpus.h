#pragma once
// Text files -> a shard of global token ids, each non-empty line one sequence:
//   <bos> text ids (mapped into the shared vocabulary) <eos>
// so the trainer sees where a line starts and learns to end one.
#include <cstdint>
#include <string>
#include <vector>

#include "codecs/text_codec.h"
#include "codecs/vocabulary.h"

namespace tessera::data {

struct TextCorpusStats {
  int64_t lines = 0;        // non-empty lines encoded
  int64_t empty_lines = 0;  // skipped
  int64_t bytes = 0;        // UTF-8 bytes of the encoded lines, newlines not counted
  int64_t text_tokens = 0;  // the codec's tokens, without <bos>/<eos>
  int64_t ids = 0;          // everything written: text tokens + 2 per line

  double bytes_per_token() const { return text_tokens > 0 ? static_cast<double>(bytes) / text_tokens : 0.0; }
  TextCorpusStats& operator+=(const TextCorpusStats& other);
};

// The default vocabulary layout for a text-only model: the codec's ids, then the control tokens.
codecs::Vocabulary text_vocabulary(const codecs::TextCodec& codec);

// Appends the sequences of every non-empty line of `path` to `ids`; errors name the file.
TextCorpusStats encode_text_file(const codecs::TextCodec& codec, const codecs::Vocabulary& vocabulary,
                                 const std::string& path, std::vector<int32_t>& ids);

// Encodes the inputs in order into one shard written atomically to `shard_path`.
TextCorpusStats write_text_shard(const codecs::TextCodec& codec, const std::vector<std::string>& inputs,
                                 const std::string& shard_path);

}  // namespace tessera::data
