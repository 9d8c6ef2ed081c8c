// Streaming detokenization: the pieces handed out add up to the decoded text, and no
// chunk ends inside a character, even when characters are spelled as byte pieces.
#include <gtest/gtest.h>

#include "codecs/text_stream.h"
#include "support/sample_text.h"
#include "support/temp_dir.h"

namespace tessera::codecs {
namespace {

TEST(TextStream, StablePrefixHoldsBackIncompleteCharacters) {
  EXPECT_EQ(stable_prefix_length("abc"), 3u);
  EXPECT_EQ(stable_prefix_length(""), 0u);
  EXPECT_EQ(stable_prefix_length("a\xE2\x82\xAC"), 4u) << "a complete euro sign";
  EXPECT_EQ(stable_prefix_length("a\xE2\x82"), 1u) << "two of its three bytes";
  EXPECT_EQ(stable_prefix_length("a\xE2"), 1u);
  EXPECT_EQ(stable_prefix_length("a\xF0\x9F\x98"), 1u) << "three of an emoji's four bytes";
  EXPECT_EQ(stable_prefix_length("ab\xC3\xA9"), 4u);
  EXPECT_EQ(stable_prefix_length("ab\xEF\xBF\xBD\xEF\xBF\xBD"), 2u) << "trailing replacement characters";
  EXPECT_EQ(stable_prefix_length("a\xEF\xBF\xBDz"), 5u) << "a replacement character followed by more is final";
}

TEST(TextStream, ChunksAddUpToTheDecodedTextAndEndOnCharacters) {
  TempDir tmp;
  write_text(tmp.path("corpus.txt"), sample_text_corpus(300));
  TextCodecTrainOptions options;
  options.vocab_size = 300;
  const TextCodec codec = TextCodec::train(tmp.path("corpus.txt"), options, tmp.path("text.model"));
  // Characters the corpus never had are spelled as byte pieces, one byte per id.
  const std::string prompt = "the dog", continuation = " sings: caf\xC3\xA9 \xE2\x82\xAC 5 \xF0\x9F\x98\x80 river";
  const std::vector<int32_t> context = codec.encode(prompt), ids = codec.encode(continuation);
  TextStream stream(codec, context);
  std::string streamed;
  for (int32_t id : ids) {
    const std::string chunk = stream.push(id);
    EXPECT_EQ(stable_prefix_length(chunk), chunk.size()) << "a chunk ends inside a character: " << chunk;
    streamed += chunk;
  }
  streamed += stream.flush();
  EXPECT_EQ(streamed, continuation);
  EXPECT_EQ(stream.text(), continuation);
  EXPECT_EQ(stream.flush(), "");
}

TEST(StopStrings, EndTheTextBeforeTheFirstStopStringAndNeverPrintPartOfOne) {
  StopStrings stops({"END", "\n\n", ""});
  EXPECT_EQ(stops.push("hello E"), "hello ") << "'E' may begin END";
  EXPECT_EQ(stops.push("N"), "");
  EXPECT_EQ(stops.push("x wor"), "ENx wor") << "not END after all";
  EXPECT_FALSE(stops.stopped());
  EXPECT_EQ(stops.push("ld\n"), "ld");
  EXPECT_EQ(stops.push("\nmore"), "");
  EXPECT_TRUE(stops.stopped());
  EXPECT_EQ(stops.flush(), "");

  StopStrings open_end({"END"});
  EXPECT_EQ(open_end.push("the E"), "the ");
  EXPECT_EQ(open_end.flush(), "E") << "held-back text is printed at the end when no stop string came";
  StopStrings none({});
  EXPECT_EQ(none.push("anything"), "anything");
}

}  // namespace
}  // namespace tessera::codecs
