// Text files -> shards of global ids: <bos> text <eos> per non-empty line.
#include "data/text_corpus.h"

#include <gtest/gtest.h>

#include "io/shard.h"
#include "support/expect_error.h"
#include "support/sample_text.h"
#include "support/temp_dir.h"

namespace tessera::data {
namespace {

class TextCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(dir.path("corpus.txt"), sample_text_corpus(300));
    codecs::TextCodecTrainOptions o;
    o.vocab_size = 400;
    codec = std::make_unique<codecs::TextCodec>(
        codecs::TextCodec::train(dir.path("corpus.txt"), o, dir.path("text.model")));
  }
  TempDir dir;
  std::unique_ptr<codecs::TextCodec> codec;
};

TEST_F(TextCorpusTest, EachNonEmptyLineIsBosIdsEos) {
  const std::vector<std::string> lines = {"the dog runs", "café 😀", "a \xE2\x96\x81 b"};
  write_text(dir.path("a.txt"), lines[0] + "\n\n" + lines[1] + "\n");
  write_text(dir.path("b.txt"), "\n" + lines[2]);  // no final newline
  const TextCorpusStats stats = write_text_shard(*codec, {dir.path("a.txt"), dir.path("b.txt")}, dir.path("s.shard"));

  const codecs::Vocabulary vocabulary = text_vocabulary(*codec);
  EXPECT_EQ(vocabulary.text_size, 400);
  std::vector<int32_t> expected;
  int64_t bytes = 0, tokens = 0;
  for (const std::string& line : lines) {
    expected.push_back(vocabulary.control("<bos>"));
    for (int32_t id : codec->encode(line)) expected.push_back(vocabulary.to_global(codecs::Modality::text, id));
    expected.push_back(vocabulary.control("<eos>"));
    bytes += static_cast<int64_t>(line.size());
    tokens += static_cast<int64_t>(codec->encode(line).size());
  }
  EXPECT_EQ(read_shard(dir.path("s.shard")), expected);
  EXPECT_EQ(vocabulary.control("<bos>"), 400);  // control tokens follow the text range
  EXPECT_EQ(stats.lines, 3);
  EXPECT_EQ(stats.empty_lines, 2);
  EXPECT_EQ(stats.bytes, bytes);
  EXPECT_EQ(stats.text_tokens, tokens);
  EXPECT_EQ(stats.ids, static_cast<int64_t>(expected.size()));
  EXPECT_DOUBLE_EQ(stats.bytes_per_token(), static_cast<double>(bytes) / tokens);
}

TEST_F(TextCorpusTest, TextIdsDecodeBackToTheLines) {
  std::vector<int32_t> ids;
  const codecs::Vocabulary vocabulary = text_vocabulary(*codec);
  encode_text_file(*codec, vocabulary, dir.path("corpus.txt"), ids);
  std::vector<int32_t> local;
  std::string text;
  for (int32_t id : ids) {
    const auto [modality, l] = vocabulary.to_local(id);
    if (modality == codecs::Modality::text) {
      local.push_back(static_cast<int32_t>(l));
    } else if (id == vocabulary.control("<eos>")) {
      text += codec->decode(local) + "\n";
      local.clear();
    }
  }
  EXPECT_EQ(text, sample_text_corpus(300));
}

TEST_F(TextCorpusTest, ErrorsNameTheFile) {
  const std::string missing = dir.path("missing.txt");
  expect_error([&] { write_text_shard(*codec, {missing}, dir.path("s.shard")); },
               {missing, "cannot open the text input"});
  write_text(dir.path("blank.txt"), "\n\n\n");
  expect_error([&] { write_text_shard(*codec, {dir.path("blank.txt")}, dir.path("s.shard")); },
               {dir.path("s.shard"), "no non-empty lines"});
  codecs::Vocabulary wrong;
  wrong.text_size = 4096;
  std::vector<int32_t> ids;
  expect_error([&] { encode_text_file(*codec, wrong, dir.path("corpus.txt"), ids); },
               {"text range holds 4096 ids", "the text codec has 400"});
}

}  // namespace
}  // namespace tessera::data
