#pragma once
// Character and word error rates of transcripts against their references, the measure of a
// speech recognizer (and of speech generated from text, transcribed by one):
//
//   CER = (substitutions + deletions + insertions of characters) / reference characters
//   WER = the same over words
//
// each summed over a set before dividing, so a long utterance weighs by its length. Both
// sides are normalized first (normalize_transcript), so case, punctuation and spacing never
// count as errors. Characters are Unicode code points (UTF-8 decoded), spaces included.
#include <cstdint>
#include <string>
#include <vector>

namespace tessera::eval {

// Lowercase (ASCII and Latin-1 letters; other scripts are kept as they are), the right single
// quotation mark (U+2019) read as an apostrophe, every other punctuation mark or symbol
// (ASCII, Latin-1's, the General Punctuation block, arrows, mathematical and technical
// symbols, dingbats, CJK punctuation) a word break, whitespace runs collapsed to one space,
// none at either end. A punctuation mark becomes a break rather than nothing because
// "t-shirt/top" and "medium-dark" are spoken as separate words. Bytes that are not UTF-8
// are kept, one code point each.
std::string normalize_transcript(const std::string& text);

// The code points of UTF-8 text; a byte that starts no valid sequence counts as one.
std::vector<char32_t> code_points(const std::string& text);
// The words of normalized text (split at spaces).
std::vector<std::string> split_words(const std::string& normalized);

// Levenshtein distance with unit costs: the fewest insertions, deletions and substitutions
// turning `hypothesis` into `reference`.
int64_t edit_distance(const std::vector<char32_t>& reference, const std::vector<char32_t>& hypothesis);
int64_t edit_distance(const std::vector<std::string>& reference, const std::vector<std::string>& hypothesis);

// Accumulates edits and reference lengths over a set of utterances.
class TextErrorRate {
 public:
  // Normalizes both and adds their character and word edits. An empty reference adds no
  // length, and a hypothesis against it adds its length in insertions.
  void add(const std::string& reference, const std::string& hypothesis);

  // Sum of edits / sum of reference lengths; 0 for no edits. With no reference length at all
  // the denominator counts as 1, so insertions still show as a rate above 0.
  double cer() const;
  double wer() const;

  int64_t utterances = 0;
  int64_t char_edits = 0, reference_chars = 0;
  int64_t word_edits = 0, reference_words = 0;
};

}  // namespace tessera::eval
