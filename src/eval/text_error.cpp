#include "eval/text_error.h"

#include <algorithm>

namespace tessera::eval {

namespace {

// A byte that starts no valid UTF-8 sequence decodes to U+DC00 + byte (Python's
// "surrogateescape"): a lone surrogate, which no valid UTF-8 yields, so it encodes back to
// the byte itself.
constexpr char32_t kEscape = 0xDC00;

void append_utf8(std::string& out, char32_t c) {
  if (c >= kEscape + 0x80 && c <= kEscape + 0xFF) {
    out += static_cast<char>(c - kEscape);
  } else if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool in(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

// Punctuation and symbols: what normalization turns into a word break.
bool is_break(char32_t c) {
  if (c < 0x80) return !(in(c, 'a', 'z') || in(c, 'A', 'Z') || in(c, '0', '9') || c == '\'');
  return in(c, 0x80, 0xBF) || c == 0xD7 || c == 0xF7  // Latin-1 controls, punctuation, symbols, x and ÷
         || in(c, 0x2000, 0x206F)                     // General Punctuation: dashes, quotes, ellipsis, spaces
         || in(c, 0x2190, 0x2BFF)                     // arrows, mathematical and technical symbols, dingbats
         || in(c, 0x3000, 0x303F);                    // CJK symbols and punctuation
}

char32_t lowercase(char32_t c) {
  if (in(c, 'A', 'Z') || (in(c, 0xC0, 0xDE) && c != 0xD7)) return c + 0x20;
  return c;
}

template <class T>
int64_t levenshtein(const std::vector<T>& a, const std::vector<T>& b) {
  // One row of the table over b, the previous row's diagonal kept aside.
  std::vector<int64_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int64_t>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int64_t diagonal = row[0];
    row[0] = static_cast<int64_t>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int64_t above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

double rate(int64_t edits, int64_t length) {
  return static_cast<double>(edits) / static_cast<double>(std::max<int64_t>(length, 1));
}

}  // namespace

std::vector<char32_t> code_points(const std::string& text) {
  std::vector<char32_t> out;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const unsigned char lead = s[i];
    const size_t length = lead < 0x80           ? 1
                          : (lead >> 5) == 0x6  ? 2
                          : (lead >> 4) == 0xE  ? 3
                          : (lead >> 3) == 0x1E ? 4
                                                : 0;
    char32_t c = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
    bool valid = length > 0 && i + length <= n;
    for (size_t k = 1; valid && k < length; ++k) {
      valid = (s[i + k] & 0xC0) == 0x80;
      c = (c << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8 either.
    static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    valid = valid && c >= kMinimum[length] && !in(c, 0xD800, 0xDFFF) && c <= 0x10FFFF;
    if (valid) {
      out.push_back(c);
      i += length;
    } else {
      out.push_back(kEscape + lead);
      ++i;
    }
  }
  return out;
}

std::string normalize_transcript(const std::string& text) {
  std::string out;
  bool pending_space = false;
  for (char32_t c : code_points(text)) {
    if (c == 0x2019) c = '\'';
    if (is_break(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    append_utf8(out, lowercase(c));
  }
  return out;
}

std::vector<std::string> split_words(const std::string& normalized) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < normalized.size()) {
    size_t end = normalized.find(' ', start);
    if (end == std::string::npos) end = normalized.size();
    if (end > start) words.push_back(normalized.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

int64_t edit_distance(const std::vector<char32_t>& reference, const std::vector<char32_t>& hypothesis) {
  return levenshtein(reference, hypothesis);
}

int64_t edit_distance(const std::vector<std::string>& reference, const std::vector<std::string>& hypothesis) {
  return levenshtein(reference, hypothesis);
}

void TextErrorRate::add(const std::string& reference, const std::string& hypothesis) {
  const std::string ref = normalize_transcript(reference), hyp = normalize_transcript(hypothesis);
  const std::vector<char32_t> ref_chars = code_points(ref);
  const std::vector<std::string> ref_words = split_words(ref);
  ++utterances;
  char_edits += edit_distance(ref_chars, code_points(hyp));
  reference_chars += static_cast<int64_t>(ref_chars.size());
  word_edits += edit_distance(ref_words, split_words(hyp));
  reference_words += static_cast<int64_t>(ref_words.size());
}

double TextErrorRate::cer() const { return rate(char_edits, reference_chars); }

double TextErrorRate::wer() const { return rate(word_edits, reference_words); }

}  // namespace tessera::eval
