#pragma once
// A small generated English-like corpus for the text codec's tests: quick to train on,
// the same on every run.
#include <cstdint>
#include <fstream>
#include <string>

namespace tessera {

inline std::string sample_text_corpus(int lines) {
  static const char* const words[] = {"the",   "a",     "dog",   "cat",  "runs",  "over",  "under", "river",
                                      "stone", "light", "night", "tree", "bird",  "sings", "quick", "brown",
                                      "water", "of",    "and",   "is",   "green", "small", "house", "field"};
  constexpr uint64_t kWords = sizeof(words) / sizeof(words[0]);
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  std::string text;
  for (int line = 0; line < lines; ++line) {
    const uint64_t n = 4 + next() % 10;
    for (uint64_t w = 0; w < n; ++w) text += std::string(w ? " " : "") + words[next() % kWords];
    text += ", " + std::to_string(next() % 1000) + ".\n";
  }
  return text;
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace tessera
