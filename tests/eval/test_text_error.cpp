// Transcript normalization, edit distances and error rates on hand-computed cases.
#include <gtest/gtest.h>

#include "eval/text_error.h"

namespace tessera::eval {
namespace {

int64_t char_distance(const std::string& reference, const std::string& hypothesis) {
  return edit_distance(code_points(reference), code_points(hypothesis));
}

int64_t word_distance(const std::string& reference, const std::string& hypothesis) {
  return edit_distance(split_words(reference), split_words(hypothesis));
}

TEST(NormalizeTranscript, CasePunctuationAndSpacing) {
  EXPECT_EQ(normalize_transcript("Hello,  World!"), "hello world");
  EXPECT_EQ(normalize_transcript("  man surfing: dark skin tone \n"), "man surfing dark skin tone");
  EXPECT_EQ(normalize_transcript("T-shirt/top"), "t shirt top");  // spoken as three words
  EXPECT_EQ(normalize_transcript("Mrs. Claus: medium-dark"), "mrs claus medium dark");
  EXPECT_EQ(normalize_transcript("“quoted” – ok…"), "quoted ok");
  EXPECT_EQ(normalize_transcript("check ✓ 2×3 → ≠"), "check 2 3");
  EXPECT_EQ(normalize_transcript("!?"), "");
  EXPECT_EQ(normalize_transcript(""), "");
}

TEST(NormalizeTranscript, ApostrophesStay) {
  EXPECT_EQ(normalize_transcript("Don't"), "don't");
  EXPECT_EQ(normalize_transcript("DON’T stop"), "don't stop");  // the typographic apostrophe too
}

TEST(NormalizeTranscript, OtherScriptsAndBadBytesAreKept) {
  EXPECT_EQ(normalize_transcript("Café ÅNGSTRÖM piñata"), "café ångström piñata");
  EXPECT_EQ(normalize_transcript("日本語、テスト"), "日本語 テスト");
  EXPECT_EQ(normalize_transcript("A\xff"
                                 "B"),
            "a\xff"
            "b");
}

TEST(CodePoints, CountsCharactersNotBytes) {
  EXPECT_EQ(code_points("abc").size(), 3u);
  EXPECT_EQ(code_points("naïve").size(), 5u);   // 6 bytes
  EXPECT_EQ(code_points("日本語").size(), 3u);  // 9 bytes
  EXPECT_EQ(code_points("🙂x").size(), 2u);   // a 4-byte sequence
  EXPECT_EQ(code_points("a\xff"
                        "b")
                .size(),
            3u);
  EXPECT_EQ(code_points("\xe6\x97").size(), 2u);  // a truncated sequence: each byte alone
  EXPECT_EQ(code_points("\xc0\xaf").size(), 2u);  // an overlong '/'
}

TEST(EditDistance, Characters) {
  EXPECT_EQ(char_distance("kitten", "sitting"), 3);  // two substitutions and an insertion
  EXPECT_EQ(char_distance("abc", "abxc"), 1);        // an insertion
  EXPECT_EQ(char_distance("abc", "ac"), 1);          // a deletion
  EXPECT_EQ(char_distance("abc", "abd"), 1);         // a substitution
  EXPECT_EQ(char_distance("abc", "cab"), 2);
  EXPECT_EQ(char_distance("same", "same"), 0);
}

TEST(EditDistance, EmptyEitherWay) {
  EXPECT_EQ(char_distance("", "abc"), 3);
  EXPECT_EQ(char_distance("abc", ""), 3);
  EXPECT_EQ(char_distance("", ""), 0);
  EXPECT_EQ(word_distance("", "two words"), 2);
  EXPECT_EQ(word_distance("two words", ""), 2);
}

TEST(EditDistance, Utf8CountsCodePoints) {
  EXPECT_EQ(char_distance("naïve", "naive"), 1);  // one code point, two bytes
  EXPECT_EQ(char_distance("日本語", "日本"), 1);
  EXPECT_EQ(char_distance("日本語", "本語"), 1);
  EXPECT_EQ(char_distance("café", "cafe"), 1);
}

TEST(EditDistance, Words) {
  EXPECT_EQ(word_distance("the cat sat", "the cat sat down"), 1);
  EXPECT_EQ(word_distance("the cat sat", "the sat"), 1);
  EXPECT_EQ(word_distance("a b c", "a x c"), 1);
  EXPECT_EQ(word_distance("a b c", "c b a"), 2);
  EXPECT_EQ(split_words("one  two "), (std::vector<std::string>{"one", "two"}));
}

TEST(TextErrorRate, SumsEditsOverSumsOfReferenceLengths) {
  TextErrorRate r;
  r.add("The cat.", "the bat");  // 7 characters, 1 edit; 2 words, 1 edit
  r.add("", "Hi");               // no reference: 2 character insertions, 1 word insertion
  r.add("Dog", "dog!");          // equal once normalized: 3 characters, 1 word
  EXPECT_EQ(r.utterances, 3);
  EXPECT_EQ(r.char_edits, 3);
  EXPECT_EQ(r.reference_chars, 10);
  EXPECT_EQ(r.word_edits, 2);
  EXPECT_EQ(r.reference_words, 3);
  EXPECT_DOUBLE_EQ(r.cer(), 0.3);
  EXPECT_DOUBLE_EQ(r.wer(), 2.0 / 3.0);
}

TEST(TextErrorRate, NothingToCompareOrOnlyInsertions) {
  TextErrorRate none;
  EXPECT_EQ(none.cer(), 0.0);
  EXPECT_EQ(none.wer(), 0.0);
  TextErrorRate inserted;
  inserted.add("", "ab cd");
  EXPECT_EQ(inserted.char_edits, 5);
  EXPECT_EQ(inserted.reference_chars, 0);
  EXPECT_DOUBLE_EQ(inserted.cer(), 5.0);  // the empty denominator counts as 1
  EXPECT_DOUBLE_EQ(inserted.wer(), 2.0);
}

}  // namespace
}  // namespace tessera::eval
