#pragma once
// Code ids as text, the way `tessera codec encode` prints them: integers >= 0 separated by
// whitespace (spaces, newlines), read back by `tessera codec decode`.
#include <cstdint>
#include <string>
#include <vector>

namespace tessera::cli {

// `source` names the text in errors (a file, or the option it came from).
std::vector<int32_t> parse_ids(const std::string& text, const std::string& source);
// The ids in a file.
std::vector<int32_t> read_ids(const std::string& path);

}  // namespace tessera::cli
