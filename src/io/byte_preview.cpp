#include "io/byte_preview.h"

#include <cctype>
#include <iomanip>
#include <sstream>

namespace tessera {

std::string first_bytes(std::string_view bytes) {
  std::ostringstream out;
  out << '"';
  for (const char c : bytes.substr(0, 8)) {
    if (std::isprint(static_cast<unsigned char>(c)) && c != '"' && c != '\\') {
      out << c;
    } else {
      out << "\\x" << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(static_cast<unsigned char>(c))
          << std::dec;
    }
  }
  out << '"';
  return out.str();
}

}  // namespace tessera
