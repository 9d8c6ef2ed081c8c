#pragma once
// The one exception type of the engine. Messages say what was expected and what was
// found, so a user can act on them without a debugger.
#include <sstream>
#include <stdexcept>
#include <string>

namespace tessera {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Streams every argument into one string: str("expected ", a, ", found ", b).
template <class... Parts>
std::string str(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  throw Error(str(parts...));
}

}  // namespace tessera

// Checks a condition that depends on user input or API use; always on, also in release.
#define TESSERA_CHECK(cond, ...)               \
  do {                                         \
    if (!(cond)) ::tessera::fail(__VA_ARGS__); \
  } while (0)
