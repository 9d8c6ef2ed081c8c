#include "cli/id_list.h"

#include <climits>
#include <sstream>

#include "core/error.h"
#include "io/atomic_file.h"

namespace tessera::cli {

std::vector<int32_t> parse_ids(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  std::vector<int32_t> ids;
  std::string word;
  while (in >> word) {
    size_t used = 0;
    int64_t value = 0;
    try {
      value = std::stoll(word, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    TESSERA_CHECK(used == word.size() && value >= 0 && value <= INT32_MAX, source,
                  ": expected code ids (integers >= 0) separated by spaces, found \"", word, "\"");
    ids.push_back(static_cast<int32_t>(value));
  }
  return ids;
}

std::vector<int32_t> read_ids(const std::string& path) { return parse_ids(read_file(path), path); }

}  // namespace tessera::cli
