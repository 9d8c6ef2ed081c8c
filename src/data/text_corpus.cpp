#include "data/text_corpus.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/progress.h"
#include "data/mixed_example.h"
#include "io/shard.h"

namespace tessera::data {

TextCorpusStats& TextCorpusStats::operator+=(const TextCorpusStats& other) {
  lines += other.lines;
  empty_lines += other.empty_lines;
  bytes += other.bytes;
  text_tokens += other.text_tokens;
  ids += other.ids;
  return *this;
}

codecs::Vocabulary text_vocabulary(const codecs::TextCodec& codec) { return mixed_vocabulary({&codec}); }

TextCorpusStats encode_text_file(const codecs::TextCodec& codec, const codecs::Vocabulary& vocabulary,
                                 const std::string& path, std::vector<int32_t>& ids) {
  TESSERA_CHECK(vocabulary.text_size == codec.vocab_size(), path, ": the vocabulary's text range holds ",
                vocabulary.text_size, " ids, but the text codec has ", codec.vocab_size());
  std::ifstream in(path, std::ios::binary);
  TESSERA_CHECK(in.good(), path, ": cannot open the text input (", std::strerror(errno), ")");
  const int32_t bos = vocabulary.control("<bos>");
  const int32_t eos = vocabulary.control("<eos>");
  std::error_code size_error;
  const auto file_bytes = std::filesystem::file_size(path, size_error);
  ProgressBar progress("encode " + std::filesystem::path(path).filename().string() + " (bytes)",
                       size_error ? 0 : static_cast<int64_t>(file_bytes));
  int64_t consumed = 0;
  TextCorpusStats stats;
  std::string line;
  while (std::getline(in, line)) {
    consumed += static_cast<int64_t>(line.size()) + 1;
    progress.update(consumed);
    if (line.empty()) {
      ++stats.empty_lines;
      continue;
    }
    const std::vector<int32_t> local = codec.encode(line);
    ids.push_back(bos);
    for (int32_t id : local) ids.push_back(vocabulary.to_global(codecs::Modality::text, id));
    ids.push_back(eos);
    ++stats.lines;
    stats.bytes += static_cast<int64_t>(line.size());
    stats.text_tokens += static_cast<int64_t>(local.size());
    stats.ids += static_cast<int64_t>(local.size()) + 2;
  }
  TESSERA_CHECK(in.eof(), path, ": reading the text input failed");
  return stats;
}

TextCorpusStats write_text_shard(const codecs::TextCodec& codec, const std::vector<std::string>& inputs,
                                 const std::string& shard_path) {
  TESSERA_CHECK(!inputs.empty(), shard_path, ": no text inputs to encode");
  const codecs::Vocabulary vocabulary = text_vocabulary(codec);
  std::vector<int32_t> ids;
  TextCorpusStats total;
  for (const std::string& input : inputs) total += encode_text_file(codec, vocabulary, input, ids);
  TESSERA_CHECK(total.lines > 0, shard_path, ": the inputs hold no non-empty lines, so the shard would be empty");
  write_shard(shard_path, ids);
  return total;
}

}  // namespace tessera::data
