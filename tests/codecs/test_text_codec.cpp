// The text codec: exact round trips on any UTF-8, repeatable training, clear errors.
#include "codecs/text_codec.h"

#include <gtest/gtest.h>
#include <sentencepiece_trainer.h>

#include "io/atomic_file.h"
#include "support/expect_error.h"
#include "support/sample_text.h"
#include "support/temp_dir.h"

namespace tessera::codecs {
namespace {

constexpr int64_t kVocab = 400;

TextCodecTrainOptions small_options() {
  TextCodecTrainOptions o;
  o.vocab_size = kVocab;
  return o;
}

class TextCodecTest : public ::testing::Test {
 protected:
  void SetUp() override { write_text(corpus(), sample_text_corpus(600)); }
  std::string corpus() const { return dir.path("corpus.txt"); }
  TextCodec train(const std::string& model = "text.model", TextCodecTrainOptions o = small_options()) const {
    return TextCodec::train(corpus(), o, dir.path(model));
  }
  TempDir dir;
};

TEST_F(TextCodecTest, RoundTripsAnyUtf8Exactly) {
  const TextCodec codec = train();
  ASSERT_EQ(codec.vocab_size(), kVocab);
  const std::string texts[] = {
      "the quick brown dog runs over the river, 512.",
      "",
      " ",
      "  leading and trailing spaces  ",
      "tabs\tand\nnewlines\r\n and   runs    of spaces",
      "café, naïve, Ærøskøbing, Straße, ñandú",
      "日本語のテキストと中文文本",
      "emoji 😀🐕‍🦺 and flags 🇫🇷",
      "Ωμέγα, кириллица, עברית, العربية",
      "a literal \xE2\x96\x81 lower one eighth block, and \xE2\x96\x81\xE2\x96\x81 twice",
      std::string("control bytes \x01\x02\x1f\x7f and a NUL \0 inside", 37),
      "digits 0123456789 9876543210",
  };
  for (const std::string& text : texts) {
    const std::vector<int32_t> ids = codec.encode(text);
    for (int32_t id : ids) ASSERT_TRUE(id >= 0 && id < kVocab) << "id " << id << " for \"" << text << "\"";
    EXPECT_EQ(codec.decode(ids), text);
  }
}

TEST_F(TextCodecTest, CharactersNeverSeenFallBackToBytes) {
  const TextCodec codec = train();
  const std::vector<int32_t> ids = codec.encode("\xE6\x97\xA5");  // 日, absent from the corpus
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(codec.piece(ids[0]), "<0xE6>");
  EXPECT_EQ(codec.piece(ids[1]), "<0x97>");
  EXPECT_EQ(codec.piece(ids[2]), "<0xA5>");
  EXPECT_EQ(codec.piece(0), "<unk>");
}

TEST_F(TextCodecTest, LearnedMergesCompressTheCorpus) {
  const TextCodec codec = train();
  const std::string line = "the small bird sings over the green field and the river";
  const std::vector<int32_t> ids = codec.encode(line);
  EXPECT_LT(ids.size(), line.size() / 3) << "a codec trained on these words should cover them with few pieces";
  const std::vector<int32_t> digits = codec.encode("2024");
  EXPECT_EQ(digits.size(), 4u) << "digits are split one by one";
}

TEST_F(TextCodecTest, TrainingIsRepeatableAndWritesTheModelBytes) {
  const TextCodec first = train("first.model");
  const TextCodec second = train("second.model");
  EXPECT_EQ(read_file(dir.path("first.model")), first.serialized());
  EXPECT_EQ(read_file(dir.path("first.model")), read_file(dir.path("second.model")));
}

TEST_F(TextCodecTest, SamplingLinesFollowsTheSeed) {
  TextCodecTrainOptions o = small_options();
  o.max_sentences = 150;  // of 600 lines
  const std::string a = train("a.model", o).serialized();
  const std::string again = train("again.model", o).serialized();
  o.seed = 2;
  const std::string other = train("other.model", o).serialized();
  EXPECT_EQ(a, again);
  EXPECT_NE(a, other);
}

TEST_F(TextCodecTest, LoadedCodecEqualsTheTrainedOne) {
  const TextCodec trained = train();
  const TextCodec loaded = TextCodec::load(dir.path("text.model"));
  const TextCodec from_bytes = TextCodec::from_bytes(trained.serialized(), "memory");
  EXPECT_EQ(loaded.serialized(), trained.serialized());
  EXPECT_EQ(loaded.vocab_size(), trained.vocab_size());
  const std::string text = "the dog sings, 42. Ünïcödé 😀";
  EXPECT_EQ(loaded.encode(text), trained.encode(text));
  EXPECT_EQ(from_bytes.encode(text), trained.encode(text));
}

TEST_F(TextCodecTest, DecodingAnIdOutOfRangeIsAnError) {
  const TextCodec codec = train();
  const std::vector<int32_t> ids = {5, kVocab};
  expect_error([&] { codec.decode(ids); }, {"id 400 at position 1", "outside the codec's range [0, 400)"});
  expect_error([&] { codec.piece(-1); }, {"id -1", "[0, 400)"});
}

TEST_F(TextCodecTest, AFileThatIsNotAModelIsNamed) {
  const std::string path = dir.path("notes.txt");
  write_text(path, "these are notes, not a model\n");
  expect_error([&] { TextCodec::load(path); }, {path, "not a SentencePiece model file"});
  expect_error([&] { TextCodec::load(dir.path("absent.model")); }, {dir.path("absent.model")});
}

TEST_F(TextCodecTest, AModelWithoutByteFallbackIsRefused) {
  std::string bytes;
  const auto status = sentencepiece::SentencePieceTrainer::Train(
      {{"input", corpus()}, {"model_type", "bpe"}, {"vocab_size", "100"}, {"minloglevel", "2"}}, nullptr, &bytes);
  ASSERT_TRUE(status.ok()) << status.ToString();
  expect_error([&] { TextCodec::from_bytes(bytes, "plain.model"); }, {"plain.model", "byte_fallback is off"});
}

TEST_F(TextCodecTest, TooSmallAVocabularyNamesTheMinimum) {
  TextCodecTrainOptions o = small_options();
  o.vocab_size = 256;
  expect_error([&] { train("small.model", o); }, {"vocab_size 256 is too small", "the minimum is 300"});
}

TEST_F(TextCodecTest, MoreMergesThanTheCorpusHoldsIsAnError) {
  TextCodecTrainOptions o = small_options();
  o.vocab_size = 20000;
  expect_error([&] { train("large.model", o); }, {corpus(), "vocab_size 20000", "Vocabulary size too high"});
}

TEST_F(TextCodecTest, BadOptionsAreErrors) {
  TextCodecTrainOptions o = small_options();
  o.character_coverage = 0;
  expect_error([&] { train("x.model", o); }, {"character_coverage 0", "(0, 1]"});
  o = small_options();
  o.max_sentences = 0;
  expect_error([&] { train("x.model", o); }, {"max_sentences 0"});
}

TEST_F(TextCodecTest, AMissingOrEmptyCorpusIsNamed) {
  const std::string missing = dir.path("missing.txt");
  expect_error([&] { TextCodec::train(missing, small_options(), dir.path("x.model")); },
               {missing, "cannot open the text corpus"});
  const std::string empty = dir.path("empty.txt");
  write_text(empty, "\n\n");
  expect_error([&] { TextCodec::train(empty, small_options(), dir.path("x.model")); },
               {empty, "the text corpus is empty"});
  EXPECT_FALSE(std::filesystem::exists(dir.path("x.model")));
}

}  // namespace
}  // namespace tessera::codecs
