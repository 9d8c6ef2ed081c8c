#include "codecs/text_codec.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <unordered_map>

#include "core/error.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/rng.h"
#include "io/atomic_file.h"

namespace tessera::codecs {

namespace {

// <unk> and the 256 byte pieces are fixed; the rest must leave room for the corpus's
// characters and some merges, or the codec is little more than a byte codec.
constexpr int64_t kMinVocabSize = 300;

// SentencePiece turns spaces into U+2581 before it sees the text and back when decoding,
// so a literal U+2581 in the input would come back as a space. We send that character
// as its three byte pieces instead, which decode to the character itself.
constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";

// SentencePiece's messages start with its source location and failed condition; the user
// needs only the sentence after them, or `otherwise` when there is none.
std::string sentencepiece_message(const sentencepiece::util::Status& status, const std::string& otherwise) {
  const std::string message = status.ToString();
  const size_t bracket = message.rfind("] ");
  const std::string sentence = bracket == std::string::npos ? message : message.substr(bracket + 2);
  return sentence.empty() ? otherwise : sentence;
}

// The corpus's non-empty lines, at most `max_sentences` of them: a uniform sample drawn
// with the seed (reservoir sampling), so memory stays bounded and training is repeatable.
struct CorpusSample {
  std::vector<std::string> lines;
  int64_t total_lines = 0;
};

CorpusSample sample_corpus(const std::string& path, int64_t max_sentences, uint64_t seed) {
  std::ifstream in(path, std::ios::binary);
  TESSERA_CHECK(in.good(), path, ": cannot open the text corpus (", std::strerror(errno), ")");
  CorpusSample sample;
  Rng rng(seed);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const int64_t seen = sample.total_lines++;
    if (seen < max_sentences) {
      sample.lines.push_back(std::move(line));
    } else if (const int64_t slot = rng.below(seen + 1); slot < max_sentences) {
      sample.lines[static_cast<size_t>(slot)] = std::move(line);
    }
  }
  TESSERA_CHECK(in.eof(), path, ": reading the text corpus failed");
  TESSERA_CHECK(sample.total_lines > 0, path, ": the text corpus is empty: expected lines of text to train on");
  return sample;
}

class LineIterator : public sentencepiece::SentenceIterator {
 public:
  explicit LineIterator(const std::vector<std::string>& lines) : lines_(lines) {}
  bool done() const override { return at_ >= lines_.size(); }
  void Next() override { ++at_; }
  const std::string& value() const override { return lines_[at_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  const std::vector<std::string>& lines_;
  size_t at_ = 0;
};

void check_options(const TextCodecTrainOptions& o) {
  TESSERA_CHECK(o.vocab_size >= kMinVocabSize, "text codec: vocab_size ", o.vocab_size,
                " is too small: byte fallback takes <unk> and 256 byte pieces, so the minimum is ", kMinVocabSize);
  TESSERA_CHECK(o.vocab_size <= INT32_MAX, "text codec: vocab_size ", o.vocab_size, " does not fit 32-bit ids");
  TESSERA_CHECK(o.character_coverage > 0 && o.character_coverage <= 1, "text codec: character_coverage ",
                o.character_coverage, " must be in (0, 1]");
  TESSERA_CHECK(o.max_sentences >= 1, "text codec: max_sentences ", o.max_sentences, " must be at least 1");
}

}  // namespace

TextCodec::TextCodec(std::unique_ptr<sentencepiece::SentencePieceProcessor> processor, std::string bytes)
    : processor_(std::move(processor)), bytes_(std::move(bytes)) {}
TextCodec::TextCodec(TextCodec&&) noexcept = default;
TextCodec& TextCodec::operator=(TextCodec&&) noexcept = default;
TextCodec::~TextCodec() = default;

TextCodec TextCodec::train(const std::string& corpus_path, const TextCodecTrainOptions& options,
                           const std::string& model_path) {
  check_options(options);
  const auto start = std::chrono::steady_clock::now();
  const CorpusSample sample = sample_corpus(corpus_path, options.max_sentences, options.seed);
  // The seed SentencePiece reserves for "random" is 2^32 - 1; fold ours below it.
  sentencepiece::SetRandomGeneratorSeed(static_cast<unsigned>(options.seed % 0xffffffffull));
  const std::unordered_map<std::string, std::string> spec = {
      {"model_type", "bpe"},
      {"vocab_size", std::to_string(options.vocab_size)},
      {"character_coverage", str(std::setprecision(17), options.character_coverage)},
      {"byte_fallback", "true"},
      {"unk_id", "0"},
      {"bos_id", "-1"},  // framing tokens are the shared Vocabulary's control tokens
      {"eos_id", "-1"},
      {"pad_id", "-1"},
      // decode(encode(s)) == s: no Unicode normalization, no added or collapsed spaces.
      {"normalization_rule_name", "identity"},
      {"add_dummy_prefix", "false"},
      {"remove_extra_whitespaces", "false"},
      {"allow_whitespace_only_pieces", "true"},  // runs of spaces (indentation) become pieces
      {"split_digits", "true"},                  // numbers are read digit by digit
      {"input_sentence_size", "0"},              // we sampled already, with our seed
      {"shuffle_input_sentence", "false"},
      // BPE training runs on one core whatever this says, and the count is stored in the
      // model: one thread keeps the model bytes the same for any --threads.
      {"num_threads", "1"},
      {"minloglevel", "2"},  // SentencePiece's progress chatter; we print our own line
  };
  LineIterator lines(sample.lines);
  std::string bytes;
  const auto status = sentencepiece::SentencePieceTrainer::Train(spec, &lines, &bytes);
  TESSERA_CHECK(status.ok(), corpus_path, ": cannot train a text codec with vocab_size ", options.vocab_size, ": ",
                sentencepiece_message(status, "SentencePiece failed without saying why"));
  TextCodec codec = from_bytes(bytes, model_path);
  codec.save(model_path);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log_info("text codec: ", codec.vocab_size(), "-piece BPE trained on ", sample.lines.size(), " of ",
           sample.total_lines, " lines of ", corpus_path, " in ", format_duration(seconds), ", written to ",
           model_path);
  return codec;
}

TextCodec TextCodec::load(const std::string& model_path) { return from_bytes(read_file(model_path), model_path); }

TextCodec TextCodec::from_bytes(const std::string& bytes, const std::string& source) {
  auto processor = std::make_unique<sentencepiece::SentencePieceProcessor>();
  const auto status = processor->LoadFromSerializedProto(bytes);
  TESSERA_CHECK(status.ok(), source, ": not a SentencePiece model file (",
                sentencepiece_message(status, "its bytes do not parse as one"), ")");
  TESSERA_CHECK(processor->IsUnknown(0), source, ": expected <unk> at id 0, found '", processor->IdToPiece(0),
                "' (not a model trained by `tessera codec train text`)");
  for (const char* byte : {"<0x00>", "<0xE2>", "<0xFF>"}) {
    TESSERA_CHECK(processor->IsByte(processor->PieceToId(byte)), source,
                  ": the SentencePiece model has no byte pieces (byte_fallback is off), so text outside its "
                  "pieces could not be encoded");
  }
  return TextCodec(std::move(processor), bytes);
}

std::vector<int32_t> TextCodec::encode(std::string_view text) const {
  std::vector<int32_t> ids;
  std::vector<int> part;
  while (true) {
    const size_t symbol = text.find(kSpaceSymbol);
    const std::string_view head = text.substr(0, symbol);
    if (!head.empty()) {
      const auto status = processor_->Encode(head, &part);
      TESSERA_CHECK(status.ok(), "text codec: cannot encode text: ",
                    sentencepiece_message(status, "SentencePiece failed without saying why"));
      ids.insert(ids.end(), part.begin(), part.end());
    }
    if (symbol == std::string_view::npos) return ids;
    for (const char* byte : {"<0xE2>", "<0x96>", "<0x81>"}) ids.push_back(processor_->PieceToId(byte));
    text.remove_prefix(symbol + kSpaceSymbol.size());
  }
}

std::string TextCodec::decode(std::span<const int32_t> ids) const {
  const int64_t size = vocab_size();
  for (size_t i = 0; i < ids.size(); ++i) {
    TESSERA_CHECK(ids[i] >= 0 && ids[i] < size, "text codec: id ", ids[i], " at position ", i,
                  " is outside the codec's range [0, ", size, ")");
  }
  std::string text;
  const auto status = processor_->Decode(std::vector<int>(ids.begin(), ids.end()), &text);
  TESSERA_CHECK(status.ok(), "text codec: cannot decode: ",
                sentencepiece_message(status, "SentencePiece failed without saying why"));
  return text;
}

std::string TextCodec::piece(int32_t id) const {
  TESSERA_CHECK(id >= 0 && id < vocab_size(), "text codec: id ", id, " is outside the codec's range [0, ", vocab_size(),
                ")");
  return processor_->IdToPiece(id);
}

int64_t TextCodec::vocab_size() const { return processor_->GetPieceSize(); }

std::string TextCodec::description() const {
  return str("SentencePiece BPE, ", vocab_size(), " pieces, byte fallback");
}

void TextCodec::save(const std::string& path) const { write_file_atomically(path, bytes_); }

}  // namespace tessera::codecs
